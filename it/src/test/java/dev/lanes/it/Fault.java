package dev.lanes.it;

import eu.rekawek.toxiproxy.model.Toxic;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import eu.rekawek.toxiproxy.model.ToxicList;
import java.util.List;

/** A fault injected into a running {@link FaultScenario}; it returns once the fault is over. */
@FunctionalInterface
interface Fault {

  void inject(FaultScenario.Run run) throws Exception;

  /** SIGKILL to the runner, then a new runner on the same task (a supervisor's restart). */
  static Fault sigkill() {
    return run -> {
      run.runner().kill();
      run.startRunner();
    };
  }

  /**
   * The link between runner and broker cut (the proxy closes every connection and refuses new ones)
   * for {@code millis}, then restored.
   */
  static Fault connectionCut(long millis) {
    return run -> {
      run.proxy().disable();
      Thread.sleep(millis);
      run.proxy().enable();
    };
  }

  /**
   * The link made slow for {@code millis}: 100 ± 50 ms of latency each way, 32 KB/s towards the
   * runner, segments sliced into 64-byte pieces; then back to normal.
   */
  static Fault slowLink(long millis) {
    return run -> {
      ToxicList toxics = run.proxy().toxics();
      List<Toxic> slow =
          List.of(
              toxics.latency("slow-down", ToxicDirection.DOWNSTREAM, 100).setJitter(50),
              toxics.latency("slow-up", ToxicDirection.UPSTREAM, 100).setJitter(50),
              toxics.bandwidth("narrow", ToxicDirection.DOWNSTREAM, 32),
              toxics.slicer("sliced", ToxicDirection.DOWNSTREAM, 64, 16));
      Thread.sleep(millis);
      for (Toxic toxic : slow) {
        toxic.remove();
      }
    };
  }

  /**
   * The broker itself (one of the test's own) stopped gracefully, started again on the same data.
   */
  static Fault brokerRestart(OwnBroker broker) {
    return run -> broker.restart();
  }

  /** Nothing: the scenario checks what the data set itself does (poison, malformed, huge). */
  static Fault none() {
    return run -> {};
  }
}
