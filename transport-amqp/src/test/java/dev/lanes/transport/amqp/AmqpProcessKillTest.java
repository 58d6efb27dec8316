package dev.lanes.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.conformance.RecordingHandler;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.HandledRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A consumer JVM killed with SIGKILL mid-stream: its unacked deliveries come back. */
@Tag("broker")
class AmqpProcessKillTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int MESSAGES = 400;
  private static final int PREFETCH = 50;

  @Test
  void unackedDeliveriesOfAConsumerKilledWithSigkillAreRedeliveredAndNothingIsLost(
      @TempDir Path dir) throws Exception {
    try (RabbitBroker broker = RabbitBroker.connect()) {
      String name = RabbitBroker.unique("sigkill");
      TaskConfig task = broker.task(name, Map.of("prefetch", PREFETCH));
      RabbitBroker.publish(task, RabbitBroker.messages("m", MESSAGES, MESSAGES));
      Set<String> all =
          IntStream.range(0, MESSAGES).mapToObj(i -> "m-" + i).collect(Collectors.toSet());

      Path record = dir.resolve("handled-by-child.txt");
      Process child = startConsumer(name, record);
      try {
        await()
            .atMost(WAIT)
            .until(() -> HandledRecord.read(record).size() >= 100 || !child.isAlive());
        assertThat(child.isAlive()).as("consumer process still running").isTrue();
      } finally {
        child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush, no close
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      Set<String> handledByChild = new HashSet<>(HandledRecord.read(record));
      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
      assertThat(handledByChild.size()).isLessThan(MESSAGES);

      RecordingHandler second = RecordingHandler.acking();
      TaskRuntime runtime =
          TaskRuntime.create(task, new AmqpTransport(), second, new SimpleMeterRegistry());
      runtime.start();
      try {
        Set<String> notHandled = new HashSet<>(all);
        notHandled.removeAll(handledByChild);
        await().atMost(WAIT).until(() -> ids(second).containsAll(notHandled));
        await().atMost(WAIT).until(() -> broker.ready(name) == 0);
      } finally {
        assertThat(runtime.stop().clean()).isTrue();
      }

      Set<String> seen = new HashSet<>(handledByChild);
      seen.addAll(ids(second));
      assertThat(seen).as("nothing lost").isEqualTo(all);
      Set<String> handledTwice = new HashSet<>(ids(second));
      handledTwice.retainAll(handledByChild);
      assertThat(handledTwice.size())
          .as("handled by the killed consumer but not yet acked: at most one prefetch window")
          .isLessThanOrEqualTo(PREFETCH);
      org.slf4j.LoggerFactory.getLogger(AmqpProcessKillTest.class)
          .info(
              "killed consumer handled {}; the next consumer got {} ({} of them handled before the"
                  + " kill but not yet acked)",
              handledByChild.size(),
              second.calls().size(),
              handledTwice.size());
      assertThat(second.calls()).hasSize(MESSAGES - handledByChild.size() + handledTwice.size());
    }
  }

  private static Set<String> ids(RecordingHandler handler) {
    return handler.calls().stream().map(c -> c.message().id()).collect(Collectors.toSet());
  }

  private static Process startConsumer(String queue, Path record) throws Exception {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
            List.of(
                java,
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classPath,
                KilledConsumerMain.class.getName(),
                queue,
                record.toString()));
    builder.environment().put("LANES_AMQP_URI", RabbitBroker.URI);
    builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    return builder.start();
  }
}
