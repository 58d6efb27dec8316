package dev.lanes.samples;

import com.typesafe.config.Config;
import dev.lanes.api.Message;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Generates order events for demos: {@code seed.count} events spread over {@code seed.orders}
 * orders, each order's events numbered 1, 2, 3... in publish order, as {@code
 * {"type":"order.updated","data":{"order_id":35432,"seq":1,"amount":...}}}.
 *
 * <p>The runner's {@code seed} block names this class; the runner publishes what it yields to the
 * task's own destination before consuming.
 */
public final class SampleOrders implements Iterable<Message> {

  private static final long FIRST_ORDER = 35_000;

  private final int count;
  private final int orders;

  /**
   * @param seed the task's {@code seed} block: {@code count}, {@code orders}
   */
  public SampleOrders(Config seed) {
    this.count = seed.getInt("count");
    this.orders = Math.max(1, seed.hasPath("orders") ? seed.getInt("orders") : 100);
  }

  @Override
  public Iterator<Message> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < count;
      }

      @Override
      public Message next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        long orderId = FIRST_ORDER + next % orders;
        int seq = next / orders + 1;
        next++;
        String payload =
            "{\"type\":\"order.updated\",\"data\":{\"order_id\":"
                + orderId
                + ",\"seq\":"
                + seq
                + ",\"amount\":"
                + (orderId % 97 + seq)
                + "}}";
        return Message.builder().key(Long.toString(orderId)).payload(payload).build();
      }
    };
  }
}
