package dev.lanes.transport.nsq;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The executor nsq-j runs its message callbacks on: one thread ({@code lanes-<task>-nsq-receive}),
 * so messages reach the dispatcher in the order nsqd sent them (nsq-j's default pool of six threads
 * would reorder them).
 *
 * <p>It also remembers which thread handed each callback over. In nsq-j 1.2 that is the reader
 * thread of the connection the message came on, which ends when the connection closes; a message
 * whose reader thread has ended can no longer be finished or touched (nsqd already took it back),
 * so its delivery is stale. Should nsq-j hand over from another thread, that signal is merely lost
 * and staleness falls back to redelivery and timeout.
 */
final class Receiver extends AbstractExecutorService {

  private final ExecutorService thread;
  private volatile Thread receiverThread;
  private Thread handedBy; // only touched on the receiver thread

  Receiver(String task) {
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "lanes-" + task + "-nsq-receive");
              receiverThread = t;
              return t;
            });
  }

  @Override
  public void execute(Runnable command) {
    Thread from = Thread.currentThread();
    thread.execute(
        () -> {
          handedBy = from;
          try {
            command.run();
          } finally {
            handedBy = null;
          }
        });
  }

  /** On the receiver thread: the thread that handed over the callback now running. */
  Thread handedBy() {
    return handedBy;
  }

  boolean isReceiverThread() {
    return Thread.currentThread() == receiverThread;
  }

  @Override
  public void shutdown() {
    thread.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    return thread.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return thread.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return thread.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return thread.awaitTermination(timeout, unit);
  }
}
