package dev.lanes.memory;

import dev.lanes.config.SectionReader;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import dev.lanes.spi.TransportContext;
import java.time.Duration;

/**
 * The {@code memory} transport: queues inside this JVM, for tests and demos. Acks remove, retries
 * are rescheduled after their delay, rejects go to {@code <queue>.dlq}, and a closed source's
 * unacked messages return to the queue. Nothing survives the process.
 */
public final class MemoryTransport implements Transport {

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Source openSource(TransportContext context) {
    TaskConfig task = context.task();
    return new MemorySource(
        task.name(),
        MemoryBroker.queue(queueName(task)),
        task.consumerNum() * task.channelLength());
  }

  @Override
  public Publisher openPublisher(TransportContext context) {
    TaskConfig task = context.task();
    MemoryQueue queue = MemoryBroker.queue(queueName(task));
    return new Publisher() {
      @Override
      public void publish(dev.lanes.api.Message message) {
        queue.publish(message, Duration.ZERO);
      }

      @Override
      public void close() {}
    };
  }

  /** {@code memory.queue}, or the task's name when empty. */
  static String queueName(TaskConfig task) {
    String queue = SectionReader.of(task, "memory").text("queue");
    return queue.isEmpty() ? task.name() : queue;
  }
}
