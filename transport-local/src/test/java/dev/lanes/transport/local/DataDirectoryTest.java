package dev.lanes.transport.local;

import static dev.lanes.transport.local.LocalTestSupport.message;
import static dev.lanes.transport.local.LocalTestSupport.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.ReadyFailedException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** What the transport does with missing, wrong or damaged data directories and store files. */
class DataDirectoryTest {

  @TempDir Path tmp;

  private final LocalTransport transport = new LocalTransport();

  @Test
  void missingDataDirectoryIsCreatedWithAnEmptyStore() throws Exception {
    Path dir = tmp.resolve("a/b/data");
    try (LocalPublisher publisher = transport.openPublisher(task(dir, "q"))) {
      publisher.publish(message(null, "x"));
    }
    assertThat(dir.resolve("lanes-local.db")).isRegularFile();
  }

  @Test
  void existingStoreIsReopenedWithItsMessages() throws Exception {
    try (LocalPublisher publisher = transport.openPublisher(task(tmp, "q"))) {
      publisher.publish(message(null, "kept"));
    }
    LocalTestSupport.Collector collector = new LocalTestSupport.Collector();
    var source = transport.openSource(task(tmp, "q"));
    source.start(collector::accept);
    try {
      assertThat(collector.next(5).message().payloadAsString()).isEqualTo("kept");
    } finally {
      source.close();
    }
  }

  @Test
  void dataDirThatIsAFileIsReadyFailedNamingThePath() throws Exception {
    Path file = Files.writeString(tmp.resolve("data"), "not a directory");
    assertThatThrownBy(() -> transport.openPublisher(task(file, "q")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessage(
            "task t-q: task 't-q': local.dataDir: "
                + file
                + " exists but is not a directory: point local.dataDir at a directory");
    assertThatThrownBy(() -> transport.openSource(task(file, "q")).start(d -> {}))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void storeFileThatIsNotADatabaseIsReadyFailedAndLeftUntouched() throws Exception {
    Path store =
        Files.writeString(tmp.resolve("lanes-local.db"), "this is no database ".repeat(300));
    byte[] before = Files.readAllBytes(store);
    assertThatThrownBy(() -> transport.openPublisher(task(tmp, "q")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageStartingWith(
            "task t-q: task 't-q': local.dataDir: store file "
                + store
                + " cannot be opened as an SQLite database")
        .hasMessageEndingWith("move it away to start with an empty store");
    assertThat(Files.readAllBytes(store)).isEqualTo(before);
  }

  // A full disk (or temp directory) once got the advice to move the store away and start empty:
  // following it would drop every queued message of a store that was fine.
  @Test
  void anIoFailureOpeningTheStoreNeverAdvisesMovingItAway() {
    Path store = tmp.resolve("lanes-local.db");
    for (SQLiteErrorCode code :
        List.of(
            SQLiteErrorCode.SQLITE_FULL,
            SQLiteErrorCode.SQLITE_IOERR,
            SQLiteErrorCode.SQLITE_CANTOPEN)) {
      assertThat(StoreFile.unreadable(store, new SQLiteException("disk trouble", code)))
          .as("%s", code)
          .hasMessageContaining("disk trouble")
          .hasMessageContaining("the store is left as it is")
          .hasMessageNotContaining("move it away");
    }
    assertThat(StoreFile.unreadable(store, new SQLException("no native library")))
        .hasMessageNotContaining("move it away");
    assertThat(
            StoreFile.unreadable(
                store,
                new SQLiteException("file is not a database", SQLiteErrorCode.SQLITE_NOTADB)))
        .hasMessageEndingWith("move it away to start with an empty store");
  }

  @Test
  void storeWithDamagedPagesIsReadyFailedAsCorrupt() throws Exception {
    try (LocalPublisher publisher = transport.openPublisher(task(tmp, "q"))) {
      for (int i = 0; i < 200; i++) {
        publisher.publish(message("k" + i, "payload ".repeat(50) + i));
      }
    }
    Path store = tmp.resolve("lanes-local.db");
    assertThat(Files.size(store)).isGreaterThan(8 * 4096);
    try (RandomAccessFile raf = new RandomAccessFile(store.toFile(), "rw")) {
      // keep the header page, scramble the b-tree pages behind it
      for (long page = 1; page < 6; page++) {
        raf.seek(page * 4096);
        raf.write(new byte[] {13, 0, 0, 0, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7});
      }
    }
    assertThatThrownBy(() -> transport.openPublisher(task(tmp, "q")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageStartingWith(
            "task t-q: task 't-q': local.dataDir: store file " + store + " is corrupt (")
        .hasMessageEndingWith(
            "restore it from a backup, or move it away to start with an empty store")
        .hasMessageNotContaining("\n");
  }

  @Test
  void sqliteDatabaseOfAnotherApplicationIsReadyFailed() throws Exception {
    Path store = tmp.resolve("lanes-local.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)");
      st.execute("INSERT INTO accounts (owner) VALUES ('alice')");
    }
    assertThatThrownBy(() -> transport.openPublisher(task(tmp, "q")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining(store.toString())
        .hasMessageContaining("not a Lanes local store");
  }

  @Test
  void writeAheadLogWithoutItsStoreFileIsReadyFailed() throws Exception {
    Files.writeString(tmp.resolve("lanes-local.db-wal"), "left over");
    assertThatThrownBy(() -> transport.openPublisher(task(tmp, "q")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining(tmp.resolve("lanes-local.db").toString())
        .hasMessageContaining("is missing");
    assertThat(tmp.resolve("lanes-local.db")).doesNotExist();
  }

  @Test
  void storeFromANewerSchemaIsReadyFailed() throws Exception {
    transport.openPublisher(task(tmp, "q")).close();
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("lanes-local.db"));
        Statement st = c.createStatement()) {
      st.execute("PRAGMA user_version = 99");
    }
    assertThatThrownBy(() -> transport.openPublisher(task(tmp, "q")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("newer Lanes");
  }
}
