package dev.lanes.transport.local;

import static dev.lanes.transport.local.LocalTestSupport.queue;
import static dev.lanes.transport.local.LocalTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent publishes share one transaction (and one fsync) instead of taking turns; only
 * publishes wait for an fsync.
 */
class GroupCommitTest {

  @TempDir Path dataDir;

  private LocalStore store;
  private final List<Thread> inserters = new ArrayList<>();
  private final ExecutorService pool =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "inserter-" + inserters.size());
            inserters.add(t);
            return t;
          });

  @BeforeEach
  void openStore() {
    store = LocalStore.acquire(dataDir);
  }

  @AfterEach
  void closeStore() {
    pool.shutdownNow();
    store.release();
  }

  @Test
  void insertsThatArriveWhileTheStoreIsBusyShareOneCommit() throws Exception {
    String q = queue("group");
    long commitsBefore = store.publishCommits();
    List<LocalStore.NewMessage> rows = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      rows.add(row("k" + i, "{}"));
    }
    List<Future<List<Long>>> ids = insertWhileAnotherProcessWrites(q, rows);
    List<Long> stored = new ArrayList<>();
    for (Future<List<Long>> id : ids) {
      stored.addAll(id.get());
    }
    assertThat(stored).doesNotHaveDuplicates().hasSize(8);
    assertThat(rows(dataDir, q)).isEqualTo(8);
    // the first one's own commit, then one commit for everyone who queued behind it
    assertThat(store.publishCommits() - commitsBefore).isEqualTo(2);
  }

  @Test
  void oneFailingInsertOfAGroupFailsAloneAndStoresNothingOfItself() throws Exception {
    String q = queue("failing");
    List<LocalStore.NewMessage> rows =
        List.of(row("first", "{}"), row("good", "{}"), row("bad", null), row("also-good", "{}"));
    List<Future<List<Long>>> ids = insertWhileAnotherProcessWrites(q, rows);
    assertThat(ids.get(0).get()).hasSize(1);
    assertThat(ids.get(1).get()).hasSize(1);
    assertThatThrownBy(() -> ids.get(2).get())
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(SQLException.class)
        .hasMessageContaining("NOT NULL");
    assertThat(ids.get(3).get()).hasSize(1);
    assertThat(rows(dataDir, q)).isEqualTo(3);
  }

  /**
   * A publish is answered only after an fsync; a claim or a settlement is not worth one: losing it
   * to a power cut only hands the message out again, which at-least-once delivery allows. So a
   * message that is published, claimed and acked costs one fsync, not three.
   */
  @Test
  void onlyThePublishOfAMessageWaitsForAnFsync() throws Exception {
    String q = queue("durability");
    long syncedBefore = store.syncedCommits();

    store.insert(
        q,
        List.of(
            new LocalStore.NewMessage(
                "k", Map.of(), "{}".getBytes(StandardCharsets.UTF_8), System.currentTimeMillis())));
    assertThat(store.syncedCommits() - syncedBefore).as("after the publish").isEqualTo(1);

    StoredMessage claimed = store.claim(q, 10, 30_000).messages().get(0);
    boolean[] applied =
        store.settle(List.of(new Settlement(Settlement.Kind.ACK, claimed, 0, null)));
    store.takeBackLeases(q);

    assertThat(applied).containsExactly(true);
    assertThat(rows(dataDir, q)).as("acked and gone").isZero();
    assertThat(store.syncedCommits() - syncedBefore).as("after claim, ack, take-back").isEqualTo(1);
  }

  /**
   * Stress: 16 publishers inserting one message at a time, first beside a consumer that claims and
   * acks in batches (its holder of the write lock commits the inserts queued behind it), then
   * alone, where nobody else takes the lock to rescue an insert whose wake-up was lost: every
   * insert returns within the limit, with ids of its own, and the consumer gets every row once.
   */
  @Test
  void publishersAndAConsumerTogetherLoseNoInsertAndNoWakeUp() throws Exception {
    String q = queue("stress");
    int publishers = 16;
    int each = 400;
    List<Future<List<Long>>> done = new ArrayList<>();
    for (int p = 0; p < publishers; p++) {
      int publisher = p;
      done.add(
          pool.submit(
              () -> {
                List<Long> ids = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                  ids.addAll(store.insert(q, List.of(row("p" + publisher, "{}"))));
                }
                return ids;
              }));
    }
    Set<Long> consumed = new HashSet<>();
    consumeUntil(q, consumed, publishers * each / 4); // beside the publishers
    Set<Long> published = new HashSet<>();
    for (Future<List<Long>> ids : done) {
      published.addAll(ids.get(30, TimeUnit.SECONDS)); // the rest alone
    }
    consumeUntil(q, consumed, publishers * each);

    assertThat(published).hasSize(publishers * each);
    assertThat(consumed).isEqualTo(published);
    assertThat(rows(dataDir, q)).isZero();
  }

  private void consumeUntil(String q, Set<Long> consumed, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (consumed.size() < count && System.nanoTime() < deadline) {
      List<Settlement> acks = new ArrayList<>();
      for (StoredMessage m : store.claim(q, 50, 30_000).messages()) {
        assertThat(consumed.add(m.id())).as("row %s claimed once", m.id()).isTrue();
        acks.add(new Settlement(Settlement.Kind.ACK, m, 0, null));
      }
      store.settle(acks);
    }
    assertThat(consumed).hasSizeGreaterThanOrEqualTo(count);
  }

  /**
   * Inserts each of {@code rows} from a thread of its own while another process holds SQLite's
   * write lock: the first waits inside SQLite, the others queue behind it; then the lock is freed.
   */
  private List<Future<List<Long>>> insertWhileAnotherProcessWrites(
      String q, List<LocalStore.NewMessage> rows) throws Exception {
    List<Future<List<Long>>> ids = new ArrayList<>();
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + StoreFile.of(dataDir));
        Statement st = other.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      for (LocalStore.NewMessage row : rows) {
        ids.add(pool.submit(() -> store.insert(q, List.of(row))));
        if (ids.size() == 1) {
          await().atMost(Duration.ofSeconds(5)).until(() -> waiting() == 0 && !inserters.isEmpty());
        }
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> waiting() == rows.size() - 1);
      st.execute("COMMIT");
    }
    return ids;
  }

  /** Inserter threads parked behind the one that holds the store. */
  private long waiting() {
    return inserters.stream().filter(t -> t.getState() == Thread.State.WAITING).count();
  }

  private static LocalStore.NewMessage row(String key, String payload) {
    return new LocalStore.NewMessage(
        key, Map.of(), payload == null ? null : payload.getBytes(StandardCharsets.UTF_8), 0);
  }
}
