package dev.lanes.transport.amqp;

import dev.lanes.api.Outcome;
import dev.lanes.conformance.RecordingHandler;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.HandledRecord;
import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A consumer process for {@link AmqpProcessKillTest}: consumes queue {@code args[0]} with 4 lanes
 * and prefetch 50, records the id of every message its handler finished in the {@link
 * HandledRecord} file {@code args[1]}, and runs until it is killed. The broker URI comes from
 * {@code LANES_AMQP_URI} (the env override of the default), not from the task config.
 */
public final class KilledConsumerMain {

  private KilledConsumerMain() {}

  public static void main(String[] args) throws Exception {
    String queue = args[0];
    TaskConfig task =
        Tasks.task(
            queue,
            Map.of(
                "transport", "amqp", "amqp.queue", queue, "amqp.prefetch", 50, "consumerNum", 4));
    HandledRecord record = HandledRecord.appendingTo(Path.of(args[1]));
    RecordingHandler handler =
        new RecordingHandler(
            m -> {
              TimeUnit.MILLISECONDS.sleep(5);
              record.add(m.id());
              return Outcome.ack();
            });
    TaskRuntime runtime =
        TaskRuntime.create(task, new AmqpTransport(), handler, new SimpleMeterRegistry());
    runtime.start();
    new CountDownLatch(1).await(); // until SIGKILL
  }
}
