package dev.lanes.it;

import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.Publisher;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;

@Tag("broker")
class RunnerOnAmqpTest extends RunnerOnBrokerTest {

  @Override
  String transport() {
    return "amqp";
  }

  @Override
  String destination(String name) {
    return "amqp { exchange = " + name + ".x, queue = " + name + ", key = " + name + " }";
  }

  /** Declares the topology the task file names (Lanes' publisher declares it on open). */
  @Override
  void prepare(String name) {
    try (Publisher declaring =
        Transports.load("amqp")
            .openPublisher(
                TaskConfigLoader.forTask(
                    "orders",
                    Map.of(
                        "transport",
                        "amqp",
                        "amqp.exchange",
                        name + ".x",
                        "amqp.queue",
                        name,
                        "amqp.key",
                        name)))) {
      // nothing to publish: opening declared exchange, queue and binding
    }
  }

  @Override
  void publishForeign(String name, List<String> events) throws Exception {
    ForeignClients.amqpPublish(name + ".x", name, events, dir);
  }

  /** amqp-publish starts a process per message: RabbitMQ's Java client publishes thousands. */
  @Override
  void publishMany(String name, List<String> events) throws Exception {
    ForeignClients.rabbitPublish(name + ".x", name, events);
  }

  /** Thousands on their way to the lanes, as the issue measured (the default is 256). */
  @Override
  String slowStopLines() {
    return "amqp.prefetch = 2000";
  }
}
