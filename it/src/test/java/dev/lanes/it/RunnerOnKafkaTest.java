package dev.lanes.it;

import java.util.List;
import org.junit.jupiter.api.Tag;

@Tag("broker")
class RunnerOnKafkaTest extends RunnerOnBrokerTest {

  @Override
  String transport() {
    return "kafka";
  }

  @Override
  String destination(String name) {
    return new BrokerTargets.Kafka(dir).destination(name);
  }

  @Override
  void publishForeign(String name, List<String> events) throws Exception {
    new BrokerTargets.Kafka(dir).publishMany(name, events);
  }
}
