package dev.lanes.runner.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Reads and writes a service's pid file and tells whether the process it names is alive. */
public final class PidFile {

  private PidFile() {}

  /** The pid in {@code file}, if the file exists and holds a number. */
  public static Optional<Long> read(Path file) {
    try {
      return Optional.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The live process named by {@code file}, if any (a stale file names a dead one). */
  public static Optional<ProcessHandle> liveProcess(Path file) {
    return read(file).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
  }

  /** Writes this process's pid, owner-readable. */
  public static void writeCurrent(Path file) throws IOException {
    Files.writeString(file, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
  }

  /** Deletes {@code file} if it still names this process. */
  public static void deleteIfCurrent(Path file) {
    if (read(file).filter(pid -> pid == ProcessHandle.current().pid()).isPresent()) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // left behind: the next start sees a dead pid and cleans it up
      }
    }
  }
}
