package dev.lanes.testing;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a consumer process that a test kills has handled: one line per message in a file, each
 * written with a single {@code write(2)} before the handler returns its outcome, so every line is
 * complete and all of them are there once the process is dead. A child's stdout would not do: the
 * JDK's reader of a dying child's stdout can end with "Stream closed" and lose the last lines (3
 * runs of 40 under load), which makes a message the child acked right after its line look lost. The
 * child keeps its record open until it is killed.
 */
public final class HandledRecord {

  private final FileOutputStream out;

  private HandledRecord(FileOutputStream out) {
    this.out = out;
  }

  /** For the child: a record that appends to {@code file}. */
  public static HandledRecord appendingTo(Path file) throws IOException {
    return new HandledRecord(new FileOutputStream(file.toFile(), true));
  }

  /** For the child: records {@code entry} (an id or payload without a line break). */
  public synchronized void add(String entry) throws IOException {
    out.write((entry + "\n").getBytes(StandardCharsets.UTF_8)); // one write(2)
  }

  /** For the test: the entries of {@code file} so far, in order; none when it does not exist. */
  public static List<String> read(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
  }
}
