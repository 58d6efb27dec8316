package dev.lanes.transport.kafka;

import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.HandledRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;

/**
 * A consumer process for {@link KafkaKillTest}: runs a task over topic {@code args[0]} in group
 * {@code args[1]} on eight lanes, each message taking a few milliseconds, and records each payload
 * in the {@link HandledRecord} file {@code args[2]} when a handler is done with a message, just
 * before its ack. It runs until killed.
 */
public final class KilledConsumerMain {

  private KilledConsumerMain() {}

  public static void main(String[] args) throws Exception {
    HandledRecord record = HandledRecord.appendingTo(Path.of(args[2]));
    TaskConfig task =
        KafkaBroker.task(
            "killed",
            args[0],
            args[1],
            Map.of(
                "consumerNum", 8,
                "deliverBy", "key",
                "kafka.consumer.session.timeout.ms", 6000));
    MessageHandler handler =
        message -> {
          Thread.sleep(4);
          record.add(message.payloadAsString());
          return Outcome.ack();
        };
    TaskRuntime.create(task, new KafkaTransport(), handler, new SimpleMeterRegistry()).start();
    Thread.currentThread().join(); // until SIGKILL
  }
}
