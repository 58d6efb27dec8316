package dev.lanes.transport.nsq;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one thread ({@code lanes-<task>-nsq-receive}) that nsq-j's message callbacks run on, so
 * messages reach the dispatcher in the order nsqd sent them (nsq-j's default pool of six threads
 * would reorder them). It knows which connection each running callback came from.
 */
final class Receiver {

  private final ExecutorService thread;
  private volatile Thread receiverThread;
  private NsqConnection current; // only touched on the receiver thread

  Receiver(ThreadFactory threads) {
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = threads.newThread(r);
              receiverThread = t;
              return t;
            });
  }

  /** Runs {@code callback}, a message of {@code connection}, after those handed over before. */
  void handOver(NsqConnection connection, Runnable callback) {
    thread.execute(
        () -> {
          current = connection;
          connection.delivering();
          try {
            callback.run();
          } finally {
            current = null;
          }
        });
  }

  /** On the receiver thread: the connection of the callback now running. */
  NsqConnection current() {
    return current;
  }

  boolean isReceiverThread() {
    return Thread.currentThread() == receiverThread;
  }

  /**
   * Waits until what was handed over before this call has run.
   *
   * @return false when that took longer than {@code timeout}
   */
  boolean awaitIdle(Duration timeout) {
    if (isReceiverThread()) {
      return true;
    }
    try {
      thread.submit(() -> {}).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  void shutdownNow() {
    thread.shutdownNow();
  }
}
