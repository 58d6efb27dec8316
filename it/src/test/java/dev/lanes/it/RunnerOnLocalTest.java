package dev.lanes.it;

import java.util.List;

/**
 * The local queue: published with {@code runner publish}, Lanes' own client, as it has no other.
 */
class RunnerOnLocalTest extends RunnerOnBrokerTest {

  @Override
  String transport() {
    return "local";
  }

  @Override
  String destination(String name) {
    return new BrokerTargets.Local(dir).destination(name);
  }

  @Override
  void publishForeign(String name, List<String> events) throws Exception {
    new BrokerTargets.Local(dir).publishMany(name, events);
  }
}
