package dev.lanes.transport.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the ready-message count of the work queue (or the sum over its partition queues) every
 * {@code backlogInterval} with a passive queue.declare on a channel of its own, on one thread
 * ({@code lanes-<task>-amqp-backlog}). AMQP 0-9-1 reports only ready messages; the source adds its
 * own unacked deliveries. A reading older than three intervals (broker away) counts as unknown.
 */
final class BacklogPoller implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BacklogPoller.class);

  private final String task;
  private final List<String> queues;
  private final Connection connection;
  private final Duration interval;
  private final ScheduledExecutorService timer;
  private Channel channel;
  private volatile long ready = -1;
  private volatile long readAtNanos;

  BacklogPoller(
      String task,
      List<String> queues,
      Connection connection,
      Duration interval,
      ThreadFactory thread) {
    this.task = task;
    this.queues = queues;
    this.connection = connection;
    this.interval = interval;
    this.timer = Executors.newSingleThreadScheduledExecutor(thread);
  }

  void start() {
    timer.scheduleWithFixedDelay(this::poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Ready messages in the queues at the last fresh reading. */
  OptionalLong ready() {
    long value = ready;
    boolean fresh = System.nanoTime() - readAtNanos < 3 * interval.toNanos();
    return value >= 0 && fresh ? OptionalLong.of(value) : OptionalLong.empty();
  }

  private void poll() {
    try {
      if (channel == null || !channel.isOpen()) {
        channel = connection.createChannel();
      }
      long sum = 0;
      for (String queue : queues) {
        sum += channel.queueDeclarePassive(queue).getMessageCount();
      }
      ready = sum;
      readAtNanos = System.nanoTime();
    } catch (IOException | ShutdownSignalException e) {
      log.debug("task {}: cannot read the depth of queues {}: {}", task, queues, e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("task {}: backlog poller did not stop within 5 s", task);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Channel current = channel;
    if (current != null && current.isOpen()) {
      try {
        current.close();
      } catch (IOException | TimeoutException | ShutdownSignalException e) {
        // the connection closes next
      }
    }
  }
}
