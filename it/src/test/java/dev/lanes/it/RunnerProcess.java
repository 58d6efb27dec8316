package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real runner jar, run as a child process the way a user runs it. */
final class RunnerProcess implements AutoCloseable {

  static final Path JAR =
      Path.of("..", "runner", "target", "lanes-runner.jar").toAbsolutePath().normalize();

  /** What a foreground run logs once SIGTERM runs its graceful stop. */
  private static final String SIGNALS_INSTALLED = "SIGTERM or Ctrl+C stops it gracefully";

  private final Process process;
  private final Path output;

  private RunnerProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  static RunnerProcess start(Path workDir, String... args) throws IOException {
    return startNamed(workDir, "runner", null, args);
  }

  /**
   * Like {@link #start(Path, String...)}, with the output in {@code <name>-output.txt} (so that
   * several runners can share a working directory) and standard input from {@code stdin}, if not
   * null.
   */
  static RunnerProcess startNamed(Path workDir, String name, Path stdin, String... args)
      throws IOException {
    return startNamed(workDir, name, stdin, Map.of(), args);
  }

  /** Like {@link #startNamed(Path, String, Path, String...)}, with {@code env} added. */
  static RunnerProcess startNamed(
      Path workDir, String name, Path stdin, Map<String, String> env, String... args)
      throws IOException {
    assertThat(JAR).as("the runner jar (built by the runner module)").exists();
    List<String> command = new ArrayList<>(List.of(javaBin(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path output = workDir.resolve(name + "-output.txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().putAll(env);
    if (stdin != null) {
      builder.redirectInput(stdin.toFile());
    }
    return new RunnerProcess(builder.start(), output);
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Sends SIGTERM (the graceful stop) to a foreground run once it says it handles the signal, and
   * waits for the exit code: 0 after a clean stop, 1 when work was left unacked.
   */
  int terminate(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!output().contains(SIGNALS_INSTALLED) && process.isAlive()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("runner never said it handles SIGTERM; output:\n" + output());
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    process.destroy();
    return waitFor(timeout);
  }

  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("runner did not exit within " + timeout + "; output:\n" + output());
    }
    return process.exitValue();
  }

  /** SIGKILL: the runner dies at once, with nothing settled or closed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() {
    try {
      return Files.exists(output) ? Files.readString(output) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  static File file(Path dir, String name) {
    return dir.resolve(name).toFile();
  }
}
