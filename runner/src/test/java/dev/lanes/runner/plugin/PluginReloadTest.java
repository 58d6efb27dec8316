package dev.lanes.runner.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.runner.service.TaskService;
import dev.lanes.runner.service.TaskSource;
import dev.lanes.spi.Publisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runner update} pointing {@code plugins.dir} at a new plugin version: no message lost. */
class PluginReloadTest {

  @TempDir Path dir;

  @Test
  void anUpdateToAnotherPluginsDirectoryRestartsThePipelineWithTheNewVersion() throws Exception {
    Path handled = dir.resolve("handled.txt");
    for (String version : List.of("v1", "v2")) {
      PluginJars.build(
          Files.createDirectories(dir.resolve(version)).resolve("audit.jar"),
          Map.of(
              "com.acme.audit.AuditHandler",
              """
              package com.acme.audit;
              import dev.lanes.api.*;
              import java.nio.file.*;
              public class AuditHandler implements MessageHandler {
                @Override public synchronized Outcome handle(Message m) throws Exception {
                  Files.writeString(Path.of("%s"), "%s " + m.key() + "\\n",
                      StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                  return Outcome.ack();
                }
              }
              """
                  .formatted(handled, version)),
          List.of());
    }
    Path tasks = dir.resolve("tasks.conf");
    String queue = "plugin-reload-" + dir.getFileName();
    String task =
        "audit { transport = memory, memory.queue = \"%s\", http.enabled = false,"
            + " handler = com.acme.audit.AuditHandler, plugins.dir = \"%s\" }\n";
    Files.writeString(tasks, task.formatted(queue, dir.resolve("v1")));

    try (TaskService service =
        TaskService.start(
            new TaskSource(tasks.toFile(), "audit", null),
            PluginReloadTest.class.getClassLoader())) {
      publish(service, 0, 20);
      await().atMost(Duration.ofSeconds(10)).until(() -> lines(handled).size() == 20);

      Files.writeString(tasks, task.formatted(queue, dir.resolve("v2")));
      TaskService.Reply reply = service.update();
      assertThat(reply.ok()).as(reply.text()).isTrue();
      assertThat(reply.text()).contains("restarted the pipeline").contains("plugins.dir");
      publish(service, 20, 40);
      await().atMost(Duration.ofSeconds(10)).until(() -> lines(handled).size() == 40);
      service.stop();
    }

    List<String> lines = lines(handled);
    assertThat(lines.subList(0, 20)).allSatisfy(l -> assertThat(l).startsWith("v1 "));
    assertThat(lines.subList(20, 40)).allSatisfy(l -> assertThat(l).startsWith("v2 "));
    assertThat(lines.stream().map(l -> l.substring(3)).sorted().distinct().count()).isEqualTo(40);
  }

  private static void publish(TaskService service, int from, int to) throws Exception {
    try (Publisher publisher = service.transport().openPublisher(service.config())) {
      publisher.publishAll(
          IntStream.range(from, to)
              .mapToObj(i -> Message.builder().key("k" + i).payload("{}").build())
              .toList());
    }
  }

  private static List<String> lines(Path file) throws Exception {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }
}
