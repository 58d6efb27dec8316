package dev.lanes.transport.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes retry copies and dead letters with publisher confirms, on a connection of its own (so a
 * blocked or lost publishing connection never stalls acks), through a bounded buffer that rides out
 * outages: while the broker is away, copies wait here and go out once the connection is back. A
 * copy counts as sent only when the broker confirmed it and did not return it as unroutable; only
 * then is its original acked (by the {@link Outgoing#onConfirmed} callback). Copies whose confirm
 * is uncertain (connection lost in between, confirm timeout, nack) are published again:
 * at-least-once.
 *
 * <p>One thread (from {@code threads}: {@code lanes-<task>-amqp-publish}) publishes batches and
 * waits for their confirms. {@link #offer} is thread-safe and never blocks; it refuses when {@code
 * capacity} copies already wait or are unconfirmed.
 */
final class BufferedPublisher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BufferedPublisher.class);
  private static final int MAX_BATCH = 256;

  /**
   * One copy to publish (mandatory) and what to do once its fate is known. Callbacks run on the
   * publisher thread and must not block.
   */
  record Outgoing(
      String exchange,
      String routingKey,
      AMQP.BasicProperties props,
      byte[] body,
      Runnable onConfirmed,
      Runnable onUnroutable) {}

  private final String task;
  private final ChannelKeeper keeper;
  private final int capacity;
  private final Duration confirmTimeout;
  private final Duration retryDelay;
  private final AmqpStats stats;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Outgoing> waiting = new ArrayDeque<>();
  private final ConcurrentLinkedQueue<Return> returns = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private Runnable onDrained = () -> {};

  /** Copies waiting or unconfirmed; guarded by lock. */
  private int count;

  /** Bumped on every channel loss; a batch confirmed in another generation is published again. */
  private long generation;

  private Channel channel;
  private volatile boolean closing;

  BufferedPublisher(
      String task,
      Connection connection,
      ScheduledExecutorService control,
      ThreadFactory threads,
      int capacity,
      Duration confirmTimeout,
      Duration retryDelay,
      AmqpStats stats) {
    this.task = task;
    this.capacity = capacity;
    this.confirmTimeout = confirmTimeout;
    this.retryDelay = retryDelay;
    this.stats = stats;
    this.keeper =
        new ChannelKeeper(
            "task '" + task + "' publish channel",
            connection,
            this::channelOpened,
            cause -> channelLost(),
            control,
            retryDelay);
    this.thread = threads.newThread(this::run);
  }

  /** Opens the channel and starts publishing. */
  void start(Runnable whenDrained) throws IOException {
    this.onDrained = Objects.requireNonNull(whenDrained);
    keeper.open();
    thread.start();
  }

  private void channelOpened(Channel ch, boolean fresh) throws IOException {
    if (fresh) {
      ch.confirmSelect();
      ch.addReturnListener(returns::add);
    }
    lock.lock();
    try {
      channel = ch;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void channelLost() {
    lock.lock();
    try {
      channel = null;
      generation++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues a copy for publishing.
   *
   * @return false when the buffer is full (the copy was not taken)
   */
  boolean offer(Outgoing outgoing) {
    lock.lock();
    try {
      if (closing) {
        return false;
      }
      if (count >= capacity) {
        stats.overflows.increment();
        return false;
      }
      count++;
      waiting.addLast(outgoing);
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the publishing channel is open. */
  boolean isConnected() {
    lock.lock();
    try {
      return channel != null && channel.isOpen();
    } finally {
      lock.unlock();
    }
  }

  /** Copies waiting or unconfirmed. */
  int pending() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until every copy offered so far is confirmed (or returned).
   *
   * @return false when some are still pending at the timeout
   */
  boolean awaitDrained(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (count > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    try {
      while (true) {
        List<Outgoing> batch = new ArrayList<>();
        Channel ch;
        long gen;
        lock.lock();
        try {
          while (!closing && (waiting.isEmpty() || channel == null)) {
            changed.await();
          }
          if (closing) {
            return;
          }
          ch = channel;
          gen = generation;
          while (batch.size() < MAX_BATCH && !waiting.isEmpty()) {
            batch.add(waiting.pollFirst());
          }
        } finally {
          lock.unlock();
        }
        List<Outgoing> unroutable = publishAndConfirm(ch, gen, batch);
        if (unroutable == null) {
          requeue(batch);
        } else {
          settle(batch, unroutable);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Publishes the batch and waits for its confirms.
   *
   * @return the returned (unroutable) copies, or {@code null} when the batch must go again
   */
  private List<Outgoing> publishAndConfirm(Channel ch, long gen, List<Outgoing> batch)
      throws InterruptedException {
    returns.clear();
    try {
      for (Outgoing o : batch) {
        ch.basicPublish(o.exchange, o.routingKey, true, o.props, o.body);
      }
      if (!ch.waitForConfirms(confirmTimeout.toMillis())) {
        log.warn(
            "task {}: the broker nacked a batch of {} retries/dead letters; publishing it"
                + " again",
            task,
            batch.size());
        return null;
      }
    } catch (IOException | ShutdownSignalException e) {
      log.debug(
          "task {}: publishing {} retries/dead letters failed ({}); they wait for the"
              + " connection",
          task,
          batch.size(),
          e.toString());
      return null;
    } catch (TimeoutException e) {
      log.warn(
          "task {}: no confirm for {} retries/dead letters within {} ms; publishing them"
              + " again",
          task,
          batch.size(),
          confirmTimeout.toMillis());
      return null;
    }
    lock.lock();
    try {
      if (generation != gen) {
        return null; // the channel died after we published: the confirms seen may not be ours
      }
    } finally {
      lock.unlock();
    }
    return matchReturns(batch);
  }

  /** Pairs each basic.return with one copy of the batch (same exchange, key and message id). */
  private List<Outgoing> matchReturns(List<Outgoing> batch) {
    List<Outgoing> unroutable = new ArrayList<>();
    for (Return r; (r = returns.poll()) != null; ) {
      for (Outgoing o : batch) {
        if (!unroutable.contains(o)
            && o.exchange.equals(r.getExchange())
            && o.routingKey.equals(r.getRoutingKey())
            && Objects.equals(o.props.getMessageId(), r.getProperties().getMessageId())) {
          unroutable.add(o);
          log.error(
              "task {}: the broker returned a copy sent to exchange '{}' with key '{}': {};"
                  + " its original stays unacked and is handled again later",
              task,
              r.getExchange(),
              r.getRoutingKey(),
              r.getReplyText());
          break;
        }
      }
    }
    return unroutable;
  }

  private void requeue(List<Outgoing> batch) throws InterruptedException {
    lock.lock();
    try {
      for (int i = batch.size() - 1; i >= 0; i--) {
        waiting.addFirst(batch.get(i));
      }
      // wait for a channel change or the retry delay, so a nacking broker is not hammered
      changed.await(retryDelay.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      lock.unlock();
    }
  }

  private void settle(List<Outgoing> batch, List<Outgoing> unroutable) {
    for (Outgoing o : batch) {
      if (unroutable.contains(o)) {
        stats.unroutable.increment();
        o.onUnroutable.run();
      } else {
        o.onConfirmed.run();
      }
    }
    boolean drained;
    lock.lock();
    try {
      count -= batch.size();
      drained = count == 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (drained) {
      onDrained.run();
    }
  }

  /**
   * Stops publishing and closes the channel (not the connection, which belongs to the caller).
   * Copies still waiting or unconfirmed are dropped: their originals were never acked, so the
   * broker redelivers them.
   */
  @Override
  public void close() {
    int dropped;
    lock.lock();
    try {
      closing = true;
      dropped = count;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    // a batch still waiting for confirms is abandoned: its originals are not acked
    thread.interrupt();
    try {
      thread.join(confirmTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    keeper.close();
    if (dropped > 0) {
      log.warn(
          "task {}: {} retries/dead letters were not confirmed before close; their"
              + " originals stay unacked and will be redelivered",
          task,
          dropped);
    }
  }
}
