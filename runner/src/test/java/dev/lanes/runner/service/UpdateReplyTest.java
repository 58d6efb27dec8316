package dev.lanes.runner.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code runner update} answers the operator: why a change needs a restart, and the task
 * file's unknown keys (a typo) in the reply itself, not only in the service's log.
 */
class UpdateReplyTest {

  private static final String TASK =
      """
      orders {
        transport = memory
        memory.queue = "%s"
        http.enabled = false
        handler = dev.lanes.samples.OrderEventsHandler
        deliverBy = order_id
        %s
      }
      """;

  @TempDir Path dir;

  @Test
  void aTypoIsNamedWithItsFixAndAsTheReasonForTheRestart() throws Exception {
    TaskService.Reply reply =
        updateFromTo(
            task("update-typo", "consumerNum = 2"),
            task("update-typo", "consumerNum = 2\n  consumerNun = 8"));

    assertThat(reply.ok()).as(reply.text()).isTrue();
    assertThat(reply.text())
        .contains("restarted the pipeline (only a restart applies a change of consumerNun;")
        .contains("\nwarning: " + tasks() + ":8: task 'orders': consumerNun: unknown key")
        .contains("did you mean consumerNum?")
        .doesNotContain("no changes");
  }

  @Test
  void aRejectedUpdateStillNamesTheTypoThatCausedIt() throws Exception {
    String valid = task("update-rejected", "");
    TaskService.Reply reply = updateFromTo(valid, valid.replace("handler =", "handlr ="));

    assertThat(reply.ok()).as(reply.text()).isFalse();
    assertThat(reply.text())
        .startsWith("update rejected: ")
        .contains("the previous config keeps running")
        .contains("handlr: unknown key, did you mean handler?");
  }

  @Test
  void aSubscriptionChangeIsNamedAsTheReasonAndALiveChangeNeedsNone() throws Exception {
    Path tasks = write("update-queue", "consumerNum = 2");
    try (TaskService service = start(tasks)) {
      write("update-queue", "consumerNum = 4");
      TaskService.Reply live = service.update();
      assertThat(live.text()).isEqualTo("applied live: consumerNum 2 -> 4");

      write("update-queue-2", "consumerNum = 4");
      TaskService.Reply restarted = service.update();
      assertThat(restarted.ok()).as(restarted.text()).isTrue();
      assertThat(restarted.text())
          .startsWith("restarted the pipeline (only a restart applies a change of memory.queue;")
          .doesNotContain("warning");
      service.stop();
    }
  }

  /** Starts the task from {@code before}, rewrites its file to {@code after}, and updates. */
  private TaskService.Reply updateFromTo(String before, String after) throws Exception {
    Files.writeString(tasks(), before);
    try (TaskService service = start(tasks())) {
      Files.writeString(tasks(), after);
      TaskService.Reply reply = service.update();
      service.stop();
      return reply;
    }
  }

  private String task(String queue, String extra) {
    return TASK.formatted(queue + "-" + dir.getFileName(), extra);
  }

  private Path tasks() {
    return dir.resolve("tasks.conf");
  }

  private Path write(String queue, String extra) throws Exception {
    return Files.writeString(tasks(), task(queue, extra));
  }

  private static TaskService start(Path tasks) {
    return TaskService.start(
        new TaskSource(tasks.toFile(), "orders", null), UpdateReplyTest.class.getClassLoader());
  }
}
