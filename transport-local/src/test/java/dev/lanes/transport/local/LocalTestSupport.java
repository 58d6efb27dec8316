package dev.lanes.transport.local;

import dev.lanes.api.Message;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.TaskConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Builds tasks on a temporary data directory and collects deliveries. */
final class LocalTestSupport {

  private LocalTestSupport() {}

  /** A unique queue name for one scenario. */
  static String queue(String scenario) {
    return scenario + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
  }

  /** A local task on {@code dataDir} consuming {@code queue}, with extra {@code local.*} keys. */
  static TaskConfig task(Path dataDir, String queue, Object... localKeysAndValues) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("transport", "local");
    overrides.put("local.dataDir", dataDir.toString());
    overrides.put("local.queue", queue);
    for (int i = 0; i < localKeysAndValues.length; i += 2) {
      overrides.put("local." + localKeysAndValues[i], localKeysAndValues[i + 1]);
    }
    return TaskConfigLoader.forTask("t-" + queue, overrides);
  }

  static Message message(String key, String payload) {
    return Message.builder().id("unused").key(key).payload(payload).build();
  }

  static Message message(String key, String payload, Map<String, String> headers) {
    return Message.builder().id("unused").key(key).payload(payload).headers(headers).build();
  }

  /** A sink that queues deliveries for the test thread to take. */
  static final class Collector {
    final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

    void accept(Delivery d) {
      deliveries.add(d);
    }

    /** The next delivery, failing after {@code seconds}. */
    Delivery next(long seconds) throws InterruptedException {
      Delivery d = deliveries.poll(seconds, TimeUnit.SECONDS);
      if (d == null) {
        throw new AssertionError("no delivery within " + seconds + " s");
      }
      return d;
    }

    /** Nothing delivered within {@code millis}. */
    void assertNone(long millis) throws InterruptedException {
      Delivery d = deliveries.poll(millis, TimeUnit.MILLISECONDS);
      if (d != null) {
        throw new AssertionError("unexpected delivery " + d.message());
      }
    }

    List<Delivery> take(int n, long seconds) throws InterruptedException {
      List<Delivery> out = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (out.size() < n) {
        Delivery d = deliveries.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (d == null) {
          throw new AssertionError("got " + out.size() + " of " + n + " deliveries in " + seconds
              + " s");
        }
        out.add(d);
      }
      return out;
    }
  }
}
