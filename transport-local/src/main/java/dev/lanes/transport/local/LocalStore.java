package dev.lanes.transport.local;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.LanesHeaders;
import dev.lanes.spi.TaskConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store file of one data directory, shared by every source and publisher of this JVM that uses
 * it (reference-counted: {@link #acquire}, {@link #release}). All writes go through one connection
 * under one lock, each operation one transaction; other processes using the same file take turns
 * through SQLite's own file lock. Sources subscribe to a queue to be woken when this JVM publishes
 * to it. Thread-safe.
 */
final class LocalStore {

  private static final Logger log = LoggerFactory.getLogger(LocalStore.class);

  /** Open stores by data directory; guarded by itself. */
  private static final Map<Path, LocalStore> OPEN = new HashMap<>();

  private final Path dataDir;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Connection writer;
  private final Object readLock = new Object();
  private Connection reader;
  private int references;
  private long lastPublishedAt;
  private volatile long publishCommits; // written under writeLock
  private volatile long syncedCommits; // written under writeLock
  private Sync writerSync = Sync.FSYNC; // the writer's synchronous setting; guarded by writeLock
  private final ConcurrentLinkedQueue<WaitingInsert> waitingInserts = new ConcurrentLinkedQueue<>();
  private final Map<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();

  /** A message to store. {@code dueAt} is epoch milliseconds. */
  record NewMessage(String key, Map<String, String> headers, byte[] payload, long dueAt) {}

  /**
   * One caller of {@link #insert} waiting for a transaction; {@code ids} or {@code failure} is set
   * by the thread that committed it, before {@link #committed}, and read by the caller after {@link
   * #awaitCommitted}.
   */
  private static final class WaitingInsert {
    final String queue;
    final List<NewMessage> messages;
    private final CountDownLatch done = new CountDownLatch(1);
    List<Long> ids;
    SQLException failure;

    WaitingInsert(String queue, List<NewMessage> messages) {
      this.queue = queue;
      this.messages = messages;
    }

    void committed() {
      done.countDown();
    }

    /** Waits for {@link #committed}; an interrupt is kept for later, like a lock's wait. */
    void awaitCommitted() {
      boolean interrupted = false;
      while (true) {
        try {
          done.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Rows claimed by one fetch.
   *
   * @param messages in order of due time, then id
   * @param nextVisibleAt when the next row of the queue becomes visible, epoch ms, or {@code
   *     Long.MAX_VALUE} when the queue is empty
   * @param leaseRanOut how many of them were claimed before and their lease ran out unsettled
   */
  record Claimed(List<StoredMessage> messages, long nextVisibleAt, int leaseRanOut) {}

  private LocalStore(Path dataDir, Connection writer) {
    this.dataDir = dataDir;
    this.writer = writer;
  }

  /**
   * The store of {@code dataDir}, opened (and checked, see {@link StoreFile}) by the first caller
   * in this JVM. Every call is paired with one {@link #release()}.
   *
   * @throws dev.lanes.api.ReadyFailedException when the directory or store file cannot be used
   */
  static LocalStore acquire(Path dataDir) {
    synchronized (OPEN) {
      LocalStore store = OPEN.get(dataDir);
      if (store == null) {
        store = new LocalStore(dataDir, StoreFile.openForWrite(dataDir));
        OPEN.put(dataDir, store);
      }
      store.references++;
      return store;
    }
  }

  /**
   * {@link #acquire(Path)} for a task: a failure names the task and its config file.
   *
   * @throws ReadyFailedException {@code <origin>: task '<name>': local.dataDir: <what and what to
   *     do>}
   */
  static LocalStore acquire(TaskConfig task, Path dataDir) {
    try {
      return acquire(dataDir);
    } catch (ReadyFailedException e) {
      throw new ReadyFailedException(
          task.origin() + ": task '" + task.name() + "': " + e.getMessage(), e.getCause());
    }
  }

  /** Gives back one {@link #acquire}; the last one closes the store's connections. */
  void release() {
    synchronized (OPEN) {
      if (--references > 0) {
        return;
      }
      OPEN.remove(dataDir);
    }
    writeLock.lock();
    try {
      close(writer);
    } finally {
      writeLock.unlock();
    }
    synchronized (readLock) {
      if (reader != null) {
        close(reader);
      }
    }
  }

  /** The store file. */
  Path file() {
    return StoreFile.of(dataDir);
  }

  /** Calls {@code wake} after every publish of this JVM to {@code queue} (and dead-lettering). */
  void subscribe(String queue, Runnable wake) {
    listeners.computeIfAbsent(queue, q -> new CopyOnWriteArraySet<>()).add(wake);
  }

  /** Undoes {@link #subscribe}. */
  void unsubscribe(String queue, Runnable wake) {
    Set<Runnable> set = listeners.get(queue);
    if (set != null) {
      set.remove(wake);
    }
  }

  /**
   * Stores {@code messages} in {@code queue} in one transaction, in order, and returns once it is
   * committed. Group commit: inserts that arrive while the store is busy wait together, and the
   * first of them to get the store commits all of them in one transaction (one fsync); if that
   * transaction fails, each is tried again in a transaction of its own, so one insert's failure is
   * never another's.
   *
   * @return their ids, in order
   * @throws dev.lanes.spi.StorageFullException when the disk is full; nothing was stored
   */
  List<Long> insert(String queue, List<NewMessage> messages) throws SQLException {
    try {
      return insertInGroup(queue, messages);
    } catch (SQLException e) {
      throw DiskSpace.full(
              dataDir,
              e,
              "publishing " + messages.size() + " messages to local queue '" + queue + "'")
          .orElseThrow(() -> e);
    }
  }

  /**
   * Queues the insert and waits until a holder of the write lock has committed it. Whoever holds
   * the lock — an insert that found it free, a claim, a settlement — commits every queued insert as
   * it lets go ({@link #unlockServingInserts}), so a waiting insert is woken by the commit that
   * stored it, not by a turn at the lock it no longer needs.
   */
  private List<Long> insertInGroup(String queue, List<NewMessage> messages) throws SQLException {
    WaitingInsert mine = new WaitingInsert(queue, messages);
    waitingInserts.add(mine);
    if (writeLock.tryLock()) {
      unlockServingInserts();
    }
    mine.awaitCommitted();
    if (mine.failure != null) {
      throw mine.failure;
    }
    return mine.ids;
  }

  /**
   * Commits the queued inserts, releases the write lock, then wakes their callers; takes the lock
   * again while inserts queued meanwhile and nobody else took it. Every holder of the write lock
   * lets go through here: an insert that found the lock held queued itself before it looked, so the
   * holder it saw finds it after letting go, or the next holder does.
   */
  private void unlockServingInserts() {
    do {
      List<WaitingInsert> group = drainWaitingInserts();
      if (!group.isEmpty()) {
        commitGroup(group);
      }
      writeLock.unlock();
      group.forEach(WaitingInsert::committed);
      group.stream().map(w -> w.queue).distinct().forEach(this::notify);
    } while (!waitingInserts.isEmpty() && writeLock.tryLock());
  }

  private List<WaitingInsert> drainWaitingInserts() {
    List<WaitingInsert> group = new ArrayList<>();
    for (WaitingInsert w; (w = waitingInserts.poll()) != null; ) {
      group.add(w);
    }
    return group;
  }

  /** Commits {@code group} in one transaction, or each alone when that fails; holds writeLock. */
  private void commitGroup(List<WaitingInsert> group) {
    try {
      List<List<Long>> ids = insertInOneTransaction(group);
      for (int i = 0; i < group.size(); i++) {
        group.get(i).ids = ids.get(i);
      }
      return;
    } catch (SQLException | RuntimeException e) {
      if (group.size() == 1) {
        group.get(0).failure = asSqlException(e);
        return;
      }
    }
    for (WaitingInsert w : group) {
      try {
        w.ids = insertInOneTransaction(List.of(w)).get(0);
      } catch (SQLException | RuntimeException e) {
        w.failure = asSqlException(e);
      }
    }
  }

  private List<List<Long>> insertInOneTransaction(List<WaitingInsert> group) throws SQLException {
    List<List<Long>> ids = new ArrayList<>(group.size());
    long now = Math.max(System.currentTimeMillis(), lastPublishedAt);
    inTransaction(
        Sync.FSYNC,
        () -> {
          try (PreparedStatement st =
              writer.prepareStatement(
                  "INSERT INTO messages (queue, visible_at, due_at, attempt, claim, created_at, msg_key,"
                      + " headers, payload) VALUES (?, ?, ?, 1, 0, ?, ?, ?, ?) RETURNING id")) {
            for (WaitingInsert w : group) {
              List<Long> insertIds = new ArrayList<>(w.messages.size());
              for (NewMessage m : w.messages) {
                long due = Math.max(now, m.dueAt());
                st.setString(1, w.queue);
                st.setLong(2, due);
                st.setLong(3, due);
                st.setLong(4, now);
                st.setString(5, m.key());
                st.setString(6, HeadersJson.write(m.headers()));
                st.setBytes(7, m.payload());
                try (ResultSet rs = st.executeQuery()) {
                  rs.next();
                  insertIds.add(rs.getLong(1));
                }
              }
              ids.add(insertIds);
            }
          }
        });
    lastPublishedAt = now;
    publishCommits++;
    return ids;
  }

  private static SQLException asSqlException(Exception e) {
    return e instanceof SQLException sql ? sql : new SQLException(e.getMessage(), e);
  }

  /** Transactions committed with an fsync of the WAL ({@code synchronous = FULL}) so far. */
  long syncedCommits() {
    return syncedCommits;
  }

  /** Transactions that stored published messages so far. */
  long publishCommits() {
    return publishCommits;
  }

  /**
   * Claims up to {@code limit} due rows of {@code queue}, oldest due first, making them invisible
   * until {@code leaseMs} from now. A row visible past its due time was leased (see {@link
   * #takeBackLeases}) and its lease ran out: it counts in {@link Claimed#leaseRanOut()}.
   */
  Claimed claim(String queue, int limit, long leaseMs) throws SQLException {
    List<StoredMessage> claimed = new ArrayList<>();
    long[] next = {Long.MAX_VALUE};
    int[] leaseRanOut = {0};
    writeLock.lock();
    try {
      long now = System.currentTimeMillis();
      inTransaction(
          Sync.NO_FSYNC,
          () -> {
            try (PreparedStatement select =
                    writer.prepareStatement(
                        "SELECT id, msg_key, payload, headers, attempt, created_at, claim,"
                            + " visible_at > due_at FROM messages"
                            + " WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, id LIMIT ?");
                PreparedStatement update =
                    writer.prepareStatement(
                        "UPDATE messages SET visible_at = ?, claim = claim + 1 WHERE id = ?");
                PreparedStatement min =
                    writer.prepareStatement(
                        "SELECT min(visible_at) FROM messages WHERE queue = ?")) {
              select.setString(1, queue);
              select.setLong(2, now);
              select.setInt(3, limit);
              try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                  claimed.add(
                      new StoredMessage(
                          rs.getLong(1),
                          queue,
                          rs.getString(2),
                          rs.getBytes(3),
                          HeadersJson.read(rs.getString(4)),
                          rs.getInt(5),
                          rs.getLong(6),
                          rs.getLong(7) + 1));
                  if (rs.getBoolean(8)) {
                    leaseRanOut[0]++;
                  }
                }
              }
              for (StoredMessage m : claimed) {
                update.setLong(1, now + leaseMs);
                update.setLong(2, m.id());
                update.executeUpdate();
              }
              min.setString(1, queue);
              try (ResultSet rs = min.executeQuery()) {
                if (rs.next() && rs.getObject(1) != null) {
                  next[0] = rs.getLong(1);
                }
              }
            }
          });
    } finally {
      unlockServingInserts();
    }
    return new Claimed(claimed, next[0], leaseRanOut[0]);
  }

  /**
   * Applies {@code settlements} in one transaction, each only if its row is still held under its
   * claim.
   *
   * @return for each settlement, whether it applied ({@code false}: the row was taken back)
   */
  boolean[] settle(List<Settlement> settlements) throws SQLException {
    boolean[] applied = new boolean[settlements.size()];
    Set<String> deadLetterQueues = new HashSet<>();
    writeLock.lock();
    try {
      long now = System.currentTimeMillis();
      inTransaction(
          Sync.NO_FSYNC,
          () -> {
            try (PreparedStatement delete =
                    writer.prepareStatement("DELETE FROM messages WHERE id = ? AND claim = ?");
                PreparedStatement retry =
                    writer.prepareStatement(
                        "UPDATE messages SET visible_at = ?, due_at = ?, attempt = ?"
                            + " WHERE id = ? AND claim = ?");
                PreparedStatement renew =
                    writer.prepareStatement(
                        "UPDATE messages SET visible_at = ? WHERE id = ? AND claim = ?");
                PreparedStatement release =
                    writer.prepareStatement(
                        "UPDATE messages SET visible_at = due_at WHERE id = ? AND claim = ?");
                PreparedStatement deadLetter =
                    writer.prepareStatement(
                        "INSERT INTO messages (queue, visible_at, due_at, attempt, claim, created_at,"
                            + " msg_key, headers, payload) VALUES (?, ?, ?, 1, 0, ?, ?, ?, ?)")) {
              for (int i = 0; i < settlements.size(); i++) {
                Settlement s = settlements.get(i);
                StoredMessage m = s.message();
                applied[i] =
                    switch (s.kind()) {
                      case ACK -> bindAndRun(delete, m);
                      case RETRY -> {
                        retry.setLong(1, s.at());
                        retry.setLong(2, s.at());
                        retry.setInt(3, m.attempt());
                        yield bindAndRun(retry, m, 4);
                      }
                      case RENEW -> {
                        renew.setLong(1, s.at());
                        yield bindAndRun(renew, m, 2);
                      }
                      case RELEASE -> bindAndRun(release, m);
                      case REJECT -> {
                        if (!bindAndRun(delete, m)) {
                          yield false;
                        }
                        String dlq = m.queue() + LocalSettings.DEAD_LETTER_SUFFIX;
                        deadLetter.setString(1, dlq);
                        deadLetter.setLong(2, now);
                        deadLetter.setLong(3, now);
                        deadLetter.setLong(4, now);
                        deadLetter.setString(5, m.key());
                        deadLetter.setString(
                            6, HeadersJson.write(deadLetterHeaders(m, s.reason())));
                        deadLetter.setBytes(7, m.payload());
                        deadLetter.executeUpdate();
                        deadLetterQueues.add(dlq);
                        yield true;
                      }
                    };
              }
            }
          });
    } finally {
      unlockServingInserts();
    }
    deadLetterQueues.forEach(this::notify);
    return applied;
  }

  /**
   * Ends every lease on rows of {@code queue}: each is due again at its due time, in its old place.
   * Only for the queue's one consumer as it starts (see {@link ConsumerLock}). A leased row is one
   * whose visibility was pushed past its due time by a claim or a renewal.
   *
   * @return how many rows were taken back
   */
  int takeBackLeases(String queue) throws SQLException {
    int[] taken = {0};
    writeLock.lock();
    try {
      inTransaction(
          Sync.NO_FSYNC,
          () -> {
            try (PreparedStatement st =
                writer.prepareStatement(
                    "UPDATE messages SET visible_at = due_at WHERE queue = ? AND visible_at > due_at")) {
              st.setString(1, queue);
              taken[0] = st.executeUpdate();
            }
          });
    } finally {
      unlockServingInserts();
    }
    return taken[0];
  }

  /** Rows of {@code queue} deliverable now (not delayed, not held by a consumer). */
  long countVisible(String queue) throws SQLException {
    synchronized (readLock) {
      if (reader == null) {
        reader = StoreFile.openForRead(dataDir);
      }
      try (PreparedStatement st =
          reader.prepareStatement(
              "SELECT count(*) FROM messages WHERE queue = ? AND visible_at <= ?")) {
        st.setString(1, queue);
        st.setLong(2, System.currentTimeMillis());
        try (ResultSet rs = st.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0;
        }
      }
    }
  }

  private static Map<String, String> deadLetterHeaders(StoredMessage m, String reason) {
    Map<String, String> headers = new HashMap<>(m.headers());
    headers.putAll(LanesHeaders.deadLetter(m.toMessage(), reason, m.attempt()));
    return headers;
  }

  private static boolean bindAndRun(PreparedStatement st, StoredMessage m) throws SQLException {
    return bindAndRun(st, m, 1);
  }

  private static boolean bindAndRun(PreparedStatement st, StoredMessage m, int firstIndex)
      throws SQLException {
    st.setLong(firstIndex, m.id());
    st.setLong(firstIndex + 1, m.claim());
    return st.executeUpdate() == 1;
  }

  private void notify(String queue) {
    Set<Runnable> set = listeners.get(queue);
    if (set != null) {
      set.forEach(Runnable::run);
    }
  }

  /**
   * Whether a commit waits for an fsync of the WAL. A publish does: it is answered as stored. A
   * claim, a settlement or a lease taken back does not: in WAL mode it still survives {@code kill
   * -9}, and the next fsynced commit makes it durable with everything before it; a power cut can
   * lose only such commits since the last fsync, which hands their messages out again
   * (at-least-once), never loses one.
   */
  private enum Sync {
    FSYNC("FULL"),
    NO_FSYNC("NORMAL");

    final String pragma;

    Sync(String pragma) {
      this.pragma = pragma;
    }
  }

  /**
   * Runs {@code work} in one transaction of the writer, committed with {@code sync}; the caller
   * holds the write lock. The transaction is begun and ended by statements, not by JDBC's
   * auto-commit switch: the driver flips that switch before its BEGIN runs, so a BEGIN that timed
   * out on a busy store would leave the next work running outside any transaction, each statement
   * committed on its own.
   */
  private void inTransaction(Sync sync, SqlWork work) throws SQLException {
    try (Statement st = writer.createStatement()) {
      if (sync != writerSync) {
        st.execute("PRAGMA synchronous = " + sync.pragma); // outside a transaction: takes effect
        writerSync = sync;
      }
      st.execute("BEGIN IMMEDIATE"); // SQLITE_BUSY after the busy timeout: nothing begun then
      try {
        work.run();
        st.execute("COMMIT");
        if (sync == Sync.FSYNC) {
          syncedCommits++;
        }
      } catch (SQLException | RuntimeException e) {
        try {
          st.execute("ROLLBACK");
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      }
    }
  }

  private static void close(Connection conn) {
    try {
      conn.close();
    } catch (SQLException e) {
      log.warn("closing local store connection failed", e);
    }
  }

  @FunctionalInterface
  private interface SqlWork {
    void run() throws SQLException;
  }
}
