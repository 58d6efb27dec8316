package dev.lanes.transport.local;

import dev.lanes.spi.StorageFullException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Tells a write that failed because the data directory's file system is full from other store
 * failures. SQLite does not always say so itself: a statement that ran out of space may roll its
 * transaction back, and what surfaces is the commit's "no transaction is active". So a failure
 * counts as a full disk when SQLite reports {@code SQLITE_FULL} or when the file system has less
 * than {@link #LOW} bytes left.
 */
final class DiskSpace {

  /** Less free space than this, and a failed write is taken for a full disk. */
  static final long LOW = 1024 * 1024;

  private DiskSpace() {}

  /**
   * A {@link StorageFullException} naming {@code dataDir} when {@code failure} came from a full
   * disk; empty otherwise.
   *
   * @param what what failed, e.g. "publishing 3 messages to local queue 'q'"
   */
  static Optional<StorageFullException> full(Path dataDir, SQLException failure, String what) {
    long free = usable(dataDir);
    boolean sqliteFull =
        failure instanceof SQLiteException e
            && (e.getResultCode().code & 0xff) == SQLiteErrorCode.SQLITE_FULL.code;
    if (!sqliteFull && (free < 0 || free >= LOW)) {
      return Optional.empty();
    }
    return Optional.of(
        new StorageFullException(
            what
                + " failed: the disk of local.dataDir "
                + dataDir
                + " is full ("
                + (free < 0 ? "free space unknown" : free + " bytes free")
                + "); nothing of it was stored and what was stored before is kept: free space"
                + " there and publish again",
            failure));
  }

  /** Bytes usable in {@code dir}'s file system; -1 when unknown. */
  static long usable(Path dir) {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      return -1;
    }
  }
}
