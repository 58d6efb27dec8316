package dev.lanes.transport.local;

import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.Tasks;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
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

  /**
   * A local task over {@link Tasks#task} on {@code dataDir} consuming {@code queue}, with extra
   * {@code local.*} keys.
   */
  static TaskConfig task(Path dataDir, String queue, Object... localKeysAndValues) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("transport", "local");
    overrides.put("local.dataDir", dataDir.toString());
    overrides.put("local.queue", queue);
    for (int i = 0; i < localKeysAndValues.length; i += 2) {
      overrides.put("local." + localKeysAndValues[i], localKeysAndValues[i + 1]);
    }
    return Tasks.task("t-" + queue, overrides);
  }

  static Message message(String key, String payload) {
    return Message.builder().key(key).payload(payload).build();
  }

  static Message message(String key, String payload, Map<String, String> headers) {
    return Message.builder().key(key).payload(payload).headers(headers).build();
  }

  /** Rows of {@code queue} in the store of {@code dataDir}, read with a connection of its own. */
  static long rows(Path dataDir, String queue) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + StoreFile.of(dataDir));
        PreparedStatement st =
            c.prepareStatement("SELECT count(*) FROM messages WHERE queue = ?")) {
      st.setString(1, queue);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Runs one update on the store of {@code dataDir} with a connection of its own. */
  static int update(Path dataDir, String sql, Object... args) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + StoreFile.of(dataDir));
        PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        st.setObject(i + 1, args[i]);
      }
      return st.executeUpdate();
    }
  }

  /** Reads one number from the store of {@code dataDir} with a connection of its own. */
  static long queryLong(Path dataDir, String sql, Object... args) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + StoreFile.of(dataDir));
        PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        st.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
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
      List<Delivery> out = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (out.size() < n) {
        Delivery d = deliveries.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (d == null) {
          throw new AssertionError(
              "got " + out.size() + " of " + n + " deliveries in " + seconds + " s");
        }
        out.add(d);
      }
      return out;
    }
  }
}
