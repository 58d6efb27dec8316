package dev.lanes.samples;

import dev.lanes.api.HandlerContext;
import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order-events sample: handles {@code order.updated} events keyed by {@code order_id},
 * simulating a little work, and checks that each order's events arrive in sequence. Run with {@code
 * deliverBy = order_id} and events of one order stay in order while different orders run in
 * parallel; the summary on close says how many arrived out of order (0 expected).
 *
 * <p>A payload without {@code data.order_id} and {@code data.seq} is rejected (dead-lettered) with
 * the reason, never retried.
 */
public final class OrderEventsHandler implements MessageHandler {

  private static final Logger log = LoggerFactory.getLogger(OrderEventsHandler.class);

  private final Map<Long, Long> lastSeq = new ConcurrentHashMap<>();
  private final AtomicLong handled = new AtomicLong();
  private final AtomicLong outOfOrder = new AtomicLong();
  private long maxWorkMicros;
  private String task;

  @Override
  public void open(HandlerContext context) {
    Duration maxWork = context.config().getDuration("orders.maxWork");
    this.maxWorkMicros = TimeUnit.NANOSECONDS.toMicros(maxWork.toNanos());
    this.task = context.taskName();
  }

  @Override
  public Outcome handle(Message message) throws InterruptedException {
    Object orderId = message.field("order_id").orElse(null);
    Object seq = message.field("seq").orElse(null);
    if (!(orderId instanceof Long order) || !(seq instanceof Long number)) {
      return Outcome.reject("not an order event: needs integer data.order_id and data.seq");
    }
    if (maxWorkMicros > 0) {
      TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(maxWorkMicros));
    }
    Long previous = lastSeq.put(order, number);
    if (previous != null && previous >= number) {
      outOfOrder.incrementAndGet();
      log.warn("order {}: event {} arrived after event {}", order, number, previous);
    }
    handled.incrementAndGet();
    return Outcome.ack();
  }

  @Override
  public void close() {
    log.info(
        "task {}: {} order events for {} orders handled, {} out of order",
        task,
        handled.get(),
        lastSeq.size(),
        outOfOrder.get());
  }
}
