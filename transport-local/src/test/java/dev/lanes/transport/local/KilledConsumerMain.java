package dev.lanes.transport.local;

import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A consumer process for {@link KillNineTest}: runs a task over local queue {@code args[1]} of data
 * directory {@code args[0]} on four lanes of 8 with a 2 s visibility timeout, each message taking a
 * few milliseconds, and prints {@code handled <payload>} on stdout when a handler is done with a
 * message, just before its ack. It runs until killed.
 */
public final class KilledConsumerMain {

  private KilledConsumerMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    TaskConfig task =
        Tasks.task(
            "killed",
            Map.of(
                "transport",
                "local",
                "consumerNum",
                4,
                "deliverBy",
                "key",
                "channelLength",
                8,
                "local.dataDir",
                args[0],
                "local.queue",
                args[1],
                "local.visibilityTimeout",
                "2s",
                "local.pollInterval",
                "100ms",
                "local.batchSize",
                32));
    MessageHandler handler =
        message -> {
          Thread.sleep(5);
          synchronized (out) {
            out.println("handled " + message.payloadAsString());
            out.flush();
          }
          return Outcome.ack();
        };
    TaskRuntime.create(task, new LocalTransport(), handler, new SimpleMeterRegistry()).start();
    Thread.currentThread().join(); // until SIGKILL
  }
}
