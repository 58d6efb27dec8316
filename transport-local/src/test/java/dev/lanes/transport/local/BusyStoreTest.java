package dev.lanes.transport.local;

import static dev.lanes.transport.local.LocalTestSupport.queue;
import static dev.lanes.transport.local.LocalTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another process keeps the store busy past the busy timeout ({@value StoreFile#BUSY_TIMEOUT_MS}
 * ms): the operation that waited fails, and the next one is still one transaction.
 */
class BusyStoreTest {

  @TempDir Path dataDir;

  private LocalStore store;

  @BeforeEach
  void openStore() {
    store = LocalStore.acquire(dataDir);
  }

  @AfterEach
  void closeStore() {
    store.release();
  }

  @Test
  void aStoreThatStayedBusyPastTheTimeoutCommitsTheNextInsertAsOneTransaction() throws Exception {
    String q = queue("busy");
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + StoreFile.of(dataDir));
        Statement st = other.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      assertThatThrownBy(() -> store.insert(q, List.of(row("late", "{}"))))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("SQLITE_BUSY");
      st.execute("COMMIT");
    }
    assertThat(store.insert(q, List.of(row("a", "{}"), row("b", "{}")))).hasSize(2);
    assertThat(rows(dataDir, q)).isEqualTo(2);
  }

  private static LocalStore.NewMessage row(String key, String payload) {
    return new LocalStore.NewMessage(key, Map.of(), payload.getBytes(StandardCharsets.UTF_8), 0);
  }
}
