package dev.lanes.it;

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

  /** The broker itself stopped gracefully and started again on the same data. */
  static Fault nsqdRestart(OwnNsqd nsqd) {
    return run -> nsqd.restart();
  }

  /** Nothing: the scenario checks what the data set itself does (poison, malformed, huge). */
  static Fault none() {
    return run -> {};
  }
}
