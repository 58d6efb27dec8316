package dev.lanes.transport.local;

import dev.lanes.api.ReadyFailedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/**
 * Finds, checks and opens the store file {@code lanes-local.db} of a data directory, creating the
 * directory and the schema when they do not exist yet. Anything that could mean existing data is
 * not what it should be fails with a {@link ReadyFailedException} naming the path; it never starts
 * empty over it.
 */
final class StoreFile {

  /** The store's file name inside the data directory. */
  static final String FILE_NAME = "lanes-local.db";

  /** {@code PRAGMA application_id} of a Lanes store: "LANE". */
  static final int APPLICATION_ID = 0x4C414E45;

  /** {@code PRAGMA user_version}: the schema version this code reads and writes. */
  static final int SCHEMA_VERSION = 1;

  /** How long a write waits for another process holding the store's write lock. */
  static final int BUSY_TIMEOUT_MS = 10_000;

  private static final String KEY = "local.dataDir";

  private static final Logger log = LoggerFactory.getLogger(StoreFile.class);

  private static final String[] SCHEMA = {
    "CREATE TABLE IF NOT EXISTS messages ("
        + " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        + " queue TEXT NOT NULL,"
        + " visible_at INTEGER NOT NULL,"
        + " due_at INTEGER NOT NULL,"
        + " attempt INTEGER NOT NULL,"
        + " claim INTEGER NOT NULL,"
        + " created_at INTEGER NOT NULL,"
        + " msg_key TEXT,"
        + " headers TEXT,"
        + " payload BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS messages_visible ON messages (queue, visible_at, id)",
    "PRAGMA application_id = " + APPLICATION_ID,
    "PRAGMA user_version = " + SCHEMA_VERSION
  };

  private StoreFile() {}

  /** The store file of {@code dataDir}. */
  static Path of(Path dataDir) {
    return dataDir.resolve(FILE_NAME);
  }

  /**
   * Checks the data directory (creating it when missing) and the store file, and opens the store
   * for reading and writing, with its schema in place.
   *
   * @throws ReadyFailedException naming the path when the directory or file cannot be used
   */
  static Connection openForWrite(Path dataDir) {
    boolean created = ensureDirectory(dataDir);
    Path file = of(dataDir);
    boolean exists = Files.exists(file);
    checkFile(file, exists);
    Connection conn = connect(file, exists, false);
    try {
      if (exists) {
        check(conn, file);
      }
      initSchema(conn, file);
    } catch (RuntimeException e) {
      closeQuietly(conn);
      throw e;
    }
    if (!exists) {
      log.info("created local store {}{}", file, created ? " (and its data directory)" : "");
    }
    return conn;
  }

  /** Opens an existing, already checked store for reading only. */
  static Connection openForRead(Path dataDir) {
    return connect(of(dataDir), true, true);
  }

  private static boolean ensureDirectory(Path dataDir) {
    if (Files.exists(dataDir)) {
      if (!Files.isDirectory(dataDir)) {
        throw fail(
            dataDir.toString(),
            "exists but is not a directory",
            "point local.dataDir at a directory");
      }
      if (!Files.isReadable(dataDir) || !Files.isWritable(dataDir)) {
        throw fail(
            dataDir.toString(),
            "is not a readable and writable directory",
            "fix its permissions or point local.dataDir elsewhere");
      }
      return false;
    }
    try {
      Files.createDirectories(dataDir);
      return true;
    } catch (IOException e) {
      throw fail(
          dataDir.toString(),
          "does not exist and cannot be created (" + e + ")",
          "create it or point local.dataDir elsewhere");
    }
  }

  private static void checkFile(Path file, boolean exists) {
    if (exists) {
      if (!Files.isRegularFile(file)) {
        throw fail("store file " + file, "is not a regular file", "move it away");
      }
      if (!Files.isReadable(file) || !Files.isWritable(file)) {
        throw fail("store file " + file, "is not readable and writable", "fix its permissions");
      }
      return;
    }
    Path wal = file.resolveSibling(FILE_NAME + "-wal");
    if (Files.exists(wal)) {
      throw fail(
          "store file " + file,
          "is missing but its write-ahead log " + wal.getFileName() + " is there",
          "restore the store file, or remove the -wal and -shm files to start with an empty store");
    }
  }

  private static Connection connect(Path file, boolean exists, boolean readOnly) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // FULL: a publish that returned is on disk even after a power cut, not only after a crash
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    if (exists) {
      config.resetOpenMode(SQLiteOpenMode.CREATE);
    }
    if (readOnly) {
      config.setReadOnly(true);
    }
    try {
      return config.createConnection("jdbc:sqlite:" + file);
    } catch (SQLException e) {
      throw unreadable(file, e);
    }
  }

  private static void check(Connection conn, Path file) {
    try (Statement st = conn.createStatement()) {
      int appId = intPragma(st, "application_id");
      int version = intPragma(st, "user_version");
      boolean empty;
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
        empty = rs.next() && rs.getInt(1) == 0;
      }
      if (appId != APPLICATION_ID && !(appId == 0 && version == 0 && empty)) {
        throw fail(
            "store file " + file,
            "is an SQLite database but not a Lanes local store",
            "point local.dataDir at another directory");
      }
      if (version > SCHEMA_VERSION) {
        throw fail(
            "store file " + file,
            "was written by a newer Lanes (schema "
                + version
                + ", this one reads "
                + SCHEMA_VERSION
                + ")",
            "upgrade Lanes");
      }
      try (ResultSet rs = st.executeQuery("PRAGMA quick_check(1)")) {
        String result = rs.next() ? rs.getString(1) : "no result";
        if (!"ok".equals(result)) {
          String oneLine =
              result
                  .replace("*** in database main ***", "")
                  .strip()
                  .replaceAll("\\s*\\R\\s*", "; ");
          throw fail(
              "store file " + file,
              "is corrupt (" + oneLine + ")",
              "restore it from a backup, or move it away to start with an empty store");
        }
      }
    } catch (SQLException e) {
      throw unreadable(file, e);
    }
  }

  private static void initSchema(Connection conn, Path file) {
    try (Statement st = conn.createStatement()) {
      if (intPragma(st, "user_version") == SCHEMA_VERSION) {
        return;
      }
      conn.setAutoCommit(false);
      try {
        for (String ddl : SCHEMA) {
          st.execute(ddl);
        }
        conn.commit();
      } catch (SQLException e) {
        conn.rollback();
        throw e;
      } finally {
        conn.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw unreadable(file, e);
    }
  }

  private static int intPragma(Statement st, String pragma) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA " + pragma)) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  /**
   * Only a store SQLite itself calls damaged ({@code SQLITE_CORRUPT}, {@code SQLITE_NOTADB}) is
   * worth moving away; any other failure (a full disk, an I/O error, a driver that cannot unpack
   * its native library into a full temp directory) leaves a good store that must be kept.
   */
  static ReadyFailedException unreadable(Path file, SQLException e) {
    boolean damaged =
        e instanceof SQLiteException sqlite
            && (sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CORRUPT
                || sqlite.getResultCode() == SQLiteErrorCode.SQLITE_NOTADB);
    String todo =
        damaged
            ? "restore it from a backup, or move it away to start with an empty store"
            : "the store is left as it is: check the free space and permissions of local.dataDir"
                + " and of the temp directory (java.io.tmpdir, where the SQLite driver unpacks its"
                + " native library), then start again";
    return new ReadyFailedException(
        KEY
            + ": store file "
            + file
            + " cannot be opened as an SQLite database ("
            + e.getMessage()
            + "): "
            + todo,
        e);
  }

  private static ReadyFailedException fail(String subject, String what, String todo) {
    return new ReadyFailedException(KEY + ": " + subject + " " + what + ": " + todo);
  }

  private static void closeQuietly(Connection conn) {
    try {
      conn.close();
    } catch (SQLException e) {
      log.debug("closing {} failed", conn, e);
    }
  }
}
