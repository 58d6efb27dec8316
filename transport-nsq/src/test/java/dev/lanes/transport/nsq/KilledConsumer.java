package dev.lanes.transport.nsq;

import dev.lanes.api.Outcome;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A consumer process for {@link NsqFaultTest}: acks messages whose payload starts with {@code ack},
 * holds the others forever (touched by the runtime), and prints {@code ACKED <payload>} / {@code
 * HOLDING <payload>} lines, until the test kills it with SIGKILL.
 *
 * <p>Arguments: topic, channel, message timeout.
 */
public final class KilledConsumer {

  private KilledConsumer() {}

  public static void main(String[] args) throws Exception {
    var task =
        Tasks.task(
            "killed",
            Map.of(
                "transport",
                "nsq",
                "nsq.topic",
                args[0],
                "nsq.channel",
                args[1],
                "nsq.msgTimeout",
                args[2],
                "nsq.lookupInterval",
                "1s",
                "consumerNum",
                8,
                "deliverBy",
                "n",
                "handlerTimeout",
                "1h"));
    TaskRuntime runtime =
        TaskRuntime.create(
            task,
            new NsqTransport(),
            message -> {
              String payload = message.payloadAsString();
              if (payload.contains("\"ack\"")) {
                say("ACKED " + payload);
                return Outcome.ack();
              }
              say("HOLDING " + payload);
              TimeUnit.HOURS.sleep(1);
              return Outcome.ack();
            },
            new SimpleMeterRegistry());
    runtime.start();
    say("STARTED");
    Thread.currentThread().join(); // until killed
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
