package dev.lanes.it;

import java.util.List;
import org.junit.jupiter.api.Tag;

@Tag("broker")
class RunnerOnNsqTest extends RunnerOnBrokerTest {

  @Override
  String transport() {
    return "nsq";
  }

  @Override
  String destination(String name) {
    return new BrokerTargets.Nsq().destination(name);
  }

  /**
   * Handlers faster than nsqd delivers, with RDY 256 (the default for 8 lanes of 32): nsqd keeps
   * sending, so when SIGTERM comes some messages are always on their way, sent by nsqd and not yet
   * handed to the lanes. With slow handlers nsqd's window is full most of the time and a stop
   * rarely finds a message in transit.
   */
  @Override
  String midStreamPacing() {
    return "nsq.maxInFlight = 256";
  }

  @Override
  void publishForeign(String name, List<String> events) throws Exception {
    new BrokerTargets.Nsq().publishMany(name, events);
  }

  /**
   * NSQ keeps {@code drain} (a released message would go to the back of the channel): a small
   * in-flight window is what bounds its stop, here 8 messages over 4 lanes of 1 s handlers.
   */
  @Override
  String slowStopLines() {
    return "nsq.maxInFlight = 8";
  }

  @Override
  boolean stopReleasesQueue() {
    return false;
  }
}
