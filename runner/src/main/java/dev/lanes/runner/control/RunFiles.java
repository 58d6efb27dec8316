package dev.lanes.runner.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;

/**
 * The files of one background service ({@code ENV} + {@code TASK}) in the run directory: {@code
 * ENV.TASK.pid}, the control socket {@code ENV.TASK.sock}, the JSON log {@code ENV.TASK.log}, and
 * {@code ENV.TASK.out} for what the JVM prints outside the log (start-up errors, crashes).
 */
public record RunFiles(Path runDir, String env, String task) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

  /**
   * @throws IllegalArgumentException when env or task is not a plain name usable in a file name
   */
  public RunFiles {
    for (String name : new String[] {env, task}) {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "'" + name + "' is not a usable ENV or TASK name: use letters, digits, '_', '.', '-'");
      }
    }
  }

  public Path pid() {
    return file("pid");
  }

  public Path socket() {
    return file("sock");
  }

  public Path log() {
    return file("log");
  }

  public Path out() {
    return file("out");
  }

  private Path file(String suffix) {
    return runDir.resolve(env + "." + task + "." + suffix);
  }

  /** "ENV/TASK", for messages. */
  public String label() {
    return env + "/" + task;
  }

  /** Creates the run directory, owner-only (rwx------), when it is missing. */
  public void createRunDir() throws IOException {
    if (!Files.isDirectory(runDir)) {
      Files.createDirectories(runDir);
      Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("rwx------"));
    }
  }
}
