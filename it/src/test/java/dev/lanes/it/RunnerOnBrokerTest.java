package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner jar consumes, through the same task file and handler as the memory demo, messages that
 * another client published to a real broker (or, for the local queue, {@code runner publish}); only
 * {@code --transport} changes.
 */
abstract class RunnerOnBrokerTest {

  static final int ORDERS = 20;
  static final int EVENTS_PER_ORDER = 10;

  /** The mid-stream stop: 100 keys × 95 events, SIGTERM once this share is handled. */
  static final int STOP_ORDERS = 100;

  static final int STOP_EVENTS_PER_ORDER = 95;
  static final double STOP_AT = 0.5;

  @TempDir Path dir;

  /** The transport name given with {@code --transport}. */
  abstract String transport();

  /** The task file lines that name the destination {@code name} on this broker. */
  abstract String destination(String name);

  /** Publishes {@code events} (JSON lines) to destination {@code name} with a foreign client. */
  abstract void publishForeign(String name, List<String> events) throws Exception;

  /** Prepares the destination before publishing (declare a queue...), if the broker needs it. */
  void prepare(String name) throws Exception {}

  /**
   * Task-file lines that pace {@link #aGracefulStopMidStreamHandsBackNothingOutOfOrder} so the stop
   * lands mid-stream: by default each message takes 1 ms in the handler, so the 9,500 take a few
   * seconds and the lanes (8 × 64) hold a fraction of them.
   */
  String midStreamPacing() {
    return "record.delay = 1ms";
  }

  /**
   * Task-file lines of {@link #aSlowHandlerStopsWithinOneCallAndNothingGoesBackOutOfOrder} that let
   * thousands of messages reach the lanes (e.g. a larger prefetch).
   */
  String slowStopLines() {
    return "";
  }

  /** Whether this transport's default stop mode releases the queue (else it drains it). */
  boolean stopReleasesQueue() {
    return true;
  }

  /** Publishes thousands of events; the same client as {@link #publishForeign} unless too slow. */
  void publishMany(String name, List<String> events) throws Exception {
    publishForeign(name, events);
  }

  @Test
  void consumesWhatAForeignClientPublishedInOrderPerKey() throws Exception {
    String name = uniqueName("");
    Path record = dir.resolve("handled.jsonl");
    Path tasks = taskFile("tasks.conf", record, destination(name));
    prepare(name);
    List<String> events = Recorded.orderEvents(ORDERS, EVENTS_PER_ORDER);
    publishForeign(name, events);

    try (RunnerProcess runner =
        RunnerProcess.start(
            dir, "--transport=" + transport(), "--task", "orders", "--config", tasks.toString())) {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .failFast("runner exited", () -> !runner.isAlive())
          .until(() -> Recorded.payloads(record).size() >= events.size());
      int exit = runner.terminate(Duration.ofSeconds(40));
      assertThat(runner.output()).as("runner output").contains("orders: stopped cleanly");
      assertThat(exit).as("exit code after SIGTERM").isZero();
    }

    Map<Long, List<Long>> seqs = Recorded.seqsByOrder(record);
    assertThat(Recorded.payloads(record)).hasSize(events.size());
    assertThat(seqs).hasSize(ORDERS);
    List<Long> expected = LongStream.rangeClosed(1, EVENTS_PER_ORDER).boxed().toList();
    seqs.forEach(
        (order, list) -> assertThat(list).as("events of order %d", order).isEqualTo(expected));
  }

  /**
   * SIGTERM while thousands of messages wait on the broker and more are on their way to the lanes,
   * then a second runner finishes the rest: the graceful stop hands nothing back out of order.
   * Every event is handled exactly once, each order's events in sequence across both runs.
   */
  @Test
  void aGracefulStopMidStreamHandsBackNothingOutOfOrder() throws Exception {
    String name = uniqueName("midstream");
    Path record = dir.resolve("midstream.jsonl");
    Path tasks =
        taskFile(
            "midstream.conf",
            record,
            destination(name) + "\n  channelLength = 64\n  " + midStreamPacing());
    prepare(name);
    List<String> events = Recorded.orderEvents(STOP_ORDERS, STOP_EVENTS_PER_ORDER);
    publishMany(name, events);
    int total = events.size();

    long beforeStop;
    long afterFirstRun;
    String firstOutput;
    try (RunnerProcess first = runner("first", tasks)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(20))
          .failFast("runner exited", () -> !first.isAlive())
          .until(() -> Recorded.count(record) >= (long) (total * STOP_AT));
      beforeStop = Recorded.count(record);
      int exit = first.terminate(Duration.ofSeconds(40));
      firstOutput = first.output();
      assertThat(firstOutput).as("first runner's output").contains("orders: stopped cleanly");
      assertThat(exit).as("exit code after SIGTERM").isIn(0, 143);
      afterFirstRun = Recorded.count(record);
    }
    assertThat(afterFirstRun)
        .as("handled by the first runner: the stop came mid-stream")
        .isLessThan(total);

    try (RunnerProcess second = runner("second", tasks)) {
      awaitOrGiveUp(Duration.ofSeconds(60), () -> !second.isAlive() || handledAll(record, total));
      second.terminate(Duration.ofSeconds(40));
    }

    PerKeyOrder order =
        PerKeyOrder.of(Recorded.handled(record), STOP_ORDERS, STOP_EVENTS_PER_ORDER);
    assertThat(order.intact())
        .as(
            "%s: SIGTERM after %d of %d handled, %d when the first runner exited; %s; the first"
                + " runner's stop said:%n%s",
            transport(), beforeStop, total, afterFirstRun, order, stopLines(firstOutput))
        .isTrue();
  }

  /**
   * The case: a handler taking 1 s, 4 lanes of 1,024 and thousands of messages received.
   * SIGTERM must end the runner within about one handler call, with exit status 0 and no alert; a
   * second runner then handles the rest: nothing lost, no attempt counted, and no message of a key
   * handled before an earlier one.
   */
  @Test
  void aSlowHandlerStopsWithinOneCallAndNothingGoesBackOutOfOrder() throws Exception {
    String name = uniqueName("slowstop");
    Path record = dir.resolve("slowstop.jsonl");
    String lines =
        destination(name) + "\n  consumerNum = 4\n  channelLength = 1024\n  " + slowStopLines();
    Path slow = taskFile("slow.conf", record, lines + "\n  record.delay = 1s");
    Path fast = taskFile("fast.conf", record, lines + "\n  record.delay = 0ms");
    prepare(name);
    int orders = 100;
    int perOrder = 30;
    List<String> events = Recorded.orderEvents(orders, perOrder);
    publishMany(name, events);
    int total = events.size();

    long stopMillis;
    String firstOutput;
    try (RunnerProcess first = runner("slow", slow)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(20))
          .failFast("runner exited", () -> !first.isAlive())
          .until(() -> Recorded.count(record) >= 8);
      long signalled = System.nanoTime();
      int exit = first.terminate(Duration.ofSeconds(40));
      stopMillis = Duration.ofNanos(System.nanoTime() - signalled).toMillis();
      firstOutput = first.output();
      String stop = stopLines(firstOutput);
      System.out.printf("%s: SIGTERM to exit %d ms; %s%n", transport(), stopMillis, stop);
      assertThat(exit).as("exit status after SIGTERM; %s", stop).isZero();
      assertThat(firstOutput).contains("orders: stopped cleanly").doesNotContain("abnormal_stop");
      Matcher counts = STOP_COUNTS.matcher(firstOutput);
      assertThat(counts.find()).as("stop counts in: %s", stop).isTrue();
      int released = Integer.parseInt(counts.group(2));
      assertThat(Integer.parseInt(counts.group(3))).as("abandoned").isZero();
      if (stopReleasesQueue()) {
        assertThat(released).as("released: thousands were queued").isGreaterThan(1_000);
        assertThat(stopMillis).as("SIGTERM to exit, ms; %s", stop).isLessThan(1_000 + 3_000);
      } else {
        assertThat(released).as("released by a drain").isZero();
        assertThat(stopMillis).as("SIGTERM to exit, ms; %s", stop).isLessThan(3_000 + 3_000);
      }
    }
    assertThat(Recorded.count(record)).as("handled by the slow runner").isLessThan(total / 10);

    try (RunnerProcess second = runner("fast", fast)) {
      awaitOrGiveUp(
          Duration.ofSeconds(90),
          () -> !second.isAlive() || distinct(Recorded.handled(record)) >= total);
      second.terminate(Duration.ofSeconds(40));
    }

    List<Recorded.Handled> handled = Recorded.handled(record);
    PerKeyOrder order = PerKeyOrder.of(handled, orders, perOrder);
    String why = "%s: stop took %d ms; %s".formatted(transport(), stopMillis, order);
    assertThat(distinct(handled)).as("nothing lost; " + why).isEqualTo(total);
    assertThat(handled).as("no attempt counted; " + why).allMatch(h -> h.attempt() == 1);
    assertThat(order.intact()).as("exactly once, in order; " + why).isTrue();
  }

  private static final Pattern STOP_COUNTS =
      Pattern.compile("finished (\\d+), released (\\d+), abandoned (\\d+)");

  private static long distinct(List<Recorded.Handled> handled) {
    return handled.stream().map(h -> h.order() + "/" + h.seq()).distinct().count();
  }

  private String uniqueName(String scenario) {
    return "it_"
        + transport()
        + (scenario.isEmpty() ? "" : "_" + scenario)
        + "_"
        + Long.toHexString(ThreadLocalRandom.current().nextLong());
  }

  /** A task file with task {@code orders}: 8 lanes by order_id recording to {@code record}. */
  private Path taskFile(String fileName, Path record, String taskLines) throws IOException {
    Path tasks = dir.resolve(fileName);
    Files.writeString(
        tasks,
        """
        system {
          transport = memory
          consumerNum = 8
          deliverBy = order_id
          http.port = 0
        }
        orders {
          handler = dev.lanes.samples.RecordingHandler
          record.file = "%s"
          %s
        }
        """
            .formatted(record, taskLines));
    return tasks;
  }

  private RunnerProcess runner(String name, Path tasks) throws IOException {
    return RunnerProcess.startNamed(
        dir,
        name,
        null,
        "--transport=" + transport(),
        "--task",
        "orders",
        "--config",
        tasks.toString());
  }

  private static boolean handledAll(Path record, int total) {
    return Recorded.count(record) >= total
        && PerKeyOrder.of(Recorded.handled(record), STOP_ORDERS, STOP_EVENTS_PER_ORDER).distinct()
            >= total;
  }

  /** Waits for {@code done}; on timeout returns all the same, for the assertions to report. */
  private static void awaitOrGiveUp(Duration atMost, Callable<Boolean> done) {
    try {
      await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(done);
    } catch (ConditionTimeoutException e) {
      // the caller's assertions say what is missing
    }
  }

  /** The log lines of a runner's output about stopping, requeueing or abandoning. */
  private static String stopLines(String output) {
    return output
        .lines()
        .filter(l -> l.contains("stopp") || l.contains("requeue") || l.contains("abandon"))
        .collect(Collectors.joining("\n"));
  }
}
