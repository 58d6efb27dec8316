package dev.lanes.it;

import java.util.List;
import org.junit.jupiter.api.Tag;

@Tag("broker")
class RunnerOnAmqpTest extends RunnerOnBrokerTest {

  @Override
  String transport() {
    return "amqp";
  }

  @Override
  String destination(String name) {
    return target().destination(name);
  }

  @Override
  void prepare(String name) {
    target().prepare(name);
  }

  @Override
  void publishForeign(String name, List<String> events) throws Exception {
    ForeignClients.amqpPublish(name + ".x", name, events, dir);
  }

  /** amqp-publish starts a process per message: RabbitMQ's Java client publishes thousands. */
  @Override
  void publishMany(String name, List<String> events) throws Exception {
    target().publishMany(name, events);
  }

  private BrokerTargets.Amqp target() {
    return new BrokerTargets.Amqp(dir);
  }

  /** Thousands on their way to the lanes, as the issue measured (the default is 256). */
  @Override
  String slowStopLines() {
    return "amqp.prefetch = 2000";
  }
}
