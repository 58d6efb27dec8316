package dev.lanes.it;

import java.util.List;

class RunnerOnNsqTest extends RunnerOnBrokerTest {

  @Override
  String transport() {
    return "nsq";
  }

  @Override
  String destination(String name) {
    return "nsq { topic = " + name + " }";
  }

  @Override
  void publishForeign(String name, List<String> events) throws Exception {
    ForeignClients.nsqMpub(name, events);
  }
}
