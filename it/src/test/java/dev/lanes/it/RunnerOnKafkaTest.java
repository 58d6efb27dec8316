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
    return "kafka { topic = " + name + ", group = " + name + " }";
  }

  @Override
  void publishForeign(String name, List<String> events) throws Exception {
    List<String> keyed =
        events.stream().map(e -> e.replaceAll(".*\"order_id\":(\\d+).*", "$1") + "|" + e).toList();
    ForeignClients.kcat(name, keyed, dir);
  }
}
