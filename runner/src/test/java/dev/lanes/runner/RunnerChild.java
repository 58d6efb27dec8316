package dev.lanes.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The runner as a child JVM of the test, started with {@code java -cp <test class path>
 * dev.lanes.runner.Main ARGS} (what {@code bin/runner} and {@code runner start} run), its output in
 * a file. For what only a real process shows: signals and exit codes.
 */
final class RunnerChild implements AutoCloseable {

  private final Process process;
  private final Path output;

  private RunnerChild(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Starts {@code runner ARGS} with stdout and stderr in {@code output}. */
  static RunnerChild start(Path output, String... args) throws IOException {
    return start(List.of(), output, args);
  }

  /** {@link #start} under {@code nohup}, which starts the runner with SIGHUP ignored. */
  static RunnerChild startUnderNohup(Path output, String... args) throws IOException {
    return start(List.of("nohup"), output, args);
  }

  private static RunnerChild start(List<String> prefix, Path output, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    return new RunnerChild(process, output);
  }

  /** Sends signal {@code name} ({@code TERM}, {@code INT}, ...) with {@code kill}. */
  void signal(String name) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Waits for the process to exit and returns its exit code; kills it after {@code timeout}. */
  int exitCode(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the runner did not exit within " + timeout + ":\n" + output());
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** What the process printed so far. */
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
}
