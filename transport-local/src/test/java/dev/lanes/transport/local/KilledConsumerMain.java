package dev.lanes.transport.local;

import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A consumer process for {@link KillNineTest}: runs a task over local queue {@code args[1]} of data
 * directory {@code args[0]} on four lanes of 8 with a 2 s visibility timeout, each message taking a
 * few milliseconds, and appends a line with its payload to the file {@code args[2]} when a handler
 * is done with a message, just before its ack. It runs until killed.
 *
 * <p>The record is a file written with one {@code write} call per line, not stdout: what a killed
 * process wrote to a file is all there once it is dead, while the JDK's reader of a child's stdout
 * can end with "Stream closed" when the child dies and lose the last lines (seen under load: 3 runs
 * of 40 lost one or two; a CI run failed on a message acked just after its line).
 */
public final class KilledConsumerMain {

  private KilledConsumerMain() {}

  public static void main(String[] args) throws Exception {
    FileOutputStream record = new FileOutputStream(args[2], true);
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
          byte[] line = (message.payloadAsString() + "\n").getBytes(StandardCharsets.UTF_8);
          synchronized (record) {
            record.write(line); // one write(2): the whole line reaches the file, or none of it
          }
          return Outcome.ack();
        };
    TaskRuntime.create(task, new LocalTransport(), handler, new SimpleMeterRegistry()).start();
    Thread.currentThread().join(); // until SIGKILL
  }
}
