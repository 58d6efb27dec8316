package dev.lanes.it;

/** A broker of a test's own ({@link OwnNsqd}, {@link OwnRabbit}, {@link OwnKafka}). */
interface OwnBroker extends AutoCloseable {

  /** Stops the broker gracefully and starts it again on the same data; returns once it is up. */
  void restart() throws Exception;

  /** Kills the broker: a test's broker needs no graceful stop at the end. */
  @Override
  void close();
}
