package dev.lanes.runner;

import com.typesafe.config.Config;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runner.control.ControlClient;
import dev.lanes.runner.control.ControlClient.NoServiceException;
import dev.lanes.runner.control.ControlServer.Reply;
import dev.lanes.runner.control.PidFile;
import dev.lanes.runner.control.RunFiles;
import dev.lanes.runner.service.TaskSource;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client side of {@code runner start|stop|restart|update|status ENV TASK}: launches the
 * background service, and talks to a running one over its control socket. Each method prints what
 * happened and returns the exit code.
 */
final class ServiceControl {

  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration EXIT_TIMEOUT = Duration.ofMinutes(2);
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final PrintWriter out;
  private final PrintWriter err;

  ServiceControl(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  /** Starts the service in the background and waits until it is running or failed to start. */
  int start(ServiceTarget target) throws IOException, InterruptedException {
    RunFiles files = target.files();
    Optional<ProcessHandle> running = PidFile.liveProcess(files.pid());
    if (running.isPresent()) {
      return fail(
          ExitCodes.FAILED,
          files.label()
              + " is already running (pid "
              + running.get().pid()
              + "); use `runner restart` or `runner stop`");
    }
    if (!Files.isRegularFile(target.taskFile())) {
      return fail(
          ExitCodes.READY_FAILED,
          "task file not found: "
              + target.taskFile()
              + " (ENV names ENV.conf in --conf-dir "
              + target.confDir
              + ")");
    }
    warnUnknownKeys(target);
    files.createRunDir();
    removeStale(files);
    long outOffset = Files.exists(files.out()) ? Files.size(files.out()) : 0;
    Process process = launch(target, files);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
        return startFailed(files, process.exitValue(), outOffset);
      }
      Optional<Reply> status = ask(files, "status");
      if (status.isPresent() && status.get().text().contains("state: RUNNING")) {
        out.println("started " + files.label() + "; log: " + files.log());
        out.print(status.get().text());
        out.flush();
        return ExitCodes.OK;
      }
    }
    return fail(
        ExitCodes.FAILED,
        files.label()
            + " did not become ready within "
            + START_TIMEOUT.toSeconds()
            + " s (pid "
            + process.pid()
            + "); see "
            + files.log());
  }

  /**
   * Prints the typo keys of the task here too: the service logs them only to its log file. A file
   * that does not parse is left for the service to report.
   */
  private void warnUnknownKeys(ServiceTarget target) {
    File file = target.taskFile().toFile();
    Config parsed;
    try {
      parsed = TaskConfigLoader.parseFile(file);
    } catch (ReadyFailedException e) {
      return;
    }
    TaskSource.unknownKeys(parsed, file.getPath(), target.task)
        .forEach(k -> err.println("runner: warning: " + k.message()));
    err.flush();
  }

  private Process launch(ServiceTarget target, RunFiles files) throws IOException {
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      command.add(SETSID.toString()); // its own session: the terminal's signals stay with us
      command.add("-w");
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String options = System.getenv("LANES_JAVA_OPTS");
    if (options != null && !options.isBlank()) {
      command.addAll(List.of(options.trim().split("\\s+")));
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "serve",
            target.env,
            target.task,
            "--conf-dir",
            target.confDir.toAbsolutePath().toString(),
            "--run-dir",
            target.runDir.toAbsolutePath().toString()));
    return new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(files.out().toFile()))
        .start();
  }

  private int startFailed(RunFiles files, int code, long outOffset) throws IOException {
    List<String> said = new ArrayList<>();
    for (String line : readFrom(files.out(), outOffset)) {
      if (line.startsWith("runner:")) {
        said.add(line);
      }
    }
    if (said.isEmpty()) {
      said.add(
          "runner: "
              + files.label()
              + " exited with code "
              + code
              + " while starting; see "
              + files.out()
              + " and "
              + files.log());
    }
    said.forEach(err::println);
    err.flush();
    return code == ExitCodes.OK ? ExitCodes.FAILED : code;
  }

  private static List<String> readFrom(Path file, long offset) throws IOException {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      in.seek(Math.min(offset, in.length()));
      byte[] rest = new byte[(int) (in.length() - in.getFilePointer())];
      in.readFully(rest);
      return new String(rest, StandardCharsets.UTF_8).lines().toList();
    }
  }

  /** Asks the service to stop gracefully and waits until its process has exited. */
  int stop(ServiceTarget target) throws IOException, InterruptedException {
    RunFiles files = target.files();
    Optional<ProcessHandle> process = PidFile.liveProcess(files.pid());
    Reply reply;
    try {
      reply = ControlClient.send(files.socket(), "stop");
    } catch (NoServiceException e) {
      return notRunning(files, process, e);
    }
    out.print(reply.text());
    out.flush();
    if (process.isPresent() && !awaitExit(process.get())) {
      return fail(
          ExitCodes.FAILED,
          files.label()
              + " (pid "
              + process.get().pid()
              + ") stopped its task but has not exited after "
              + EXIT_TIMEOUT.toSeconds()
              + " s");
    }
    removeStale(files);
    return reply.ok() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  /** Stops the service gracefully (if it runs), then starts it again. */
  int restart(ServiceTarget target) throws IOException, InterruptedException {
    int stopped = stop(target);
    if (stopped == ExitCodes.NOT_RUNNING) {
      out.println("starting it");
    } else if (stopped != ExitCodes.OK && PidFile.liveProcess(target.files().pid()).isPresent()) {
      return stopped;
    }
    return start(target);
  }

  /** Asks the service to re-read its task file. */
  int update(ServiceTarget target) throws IOException {
    return ask(target, "update", ExitCodes.READY_FAILED);
  }

  /** Prints the service's state, lanes, in-flight, rates and backlog. */
  int status(ServiceTarget target) throws IOException {
    return ask(target, "status", ExitCodes.FAILED);
  }

  private int ask(ServiceTarget target, String command, int codeIfRefused) throws IOException {
    RunFiles files = target.files();
    try {
      Reply reply = ControlClient.send(files.socket(), command);
      (reply.ok() ? out : err).print(reply.text());
      out.flush();
      err.flush();
      return reply.ok() ? ExitCodes.OK : codeIfRefused;
    } catch (NoServiceException e) {
      return notRunning(files, PidFile.liveProcess(files.pid()), e);
    }
  }

  private static Optional<Reply> ask(RunFiles files, String command) throws IOException {
    try {
      return Optional.of(ControlClient.send(files.socket(), command));
    } catch (NoServiceException e) {
      return Optional.empty();
    }
  }

  private int notRunning(RunFiles files, Optional<ProcessHandle> process, NoServiceException e)
      throws IOException {
    if (process.isPresent()) {
      return fail(
          ExitCodes.FAILED,
          files.label()
              + " (pid "
              + process.get().pid()
              + ") does not answer on its control socket ("
              + e.getMessage()
              + "): it may still be"
              + " starting; else stop it with `kill -TERM "
              + process.get().pid()
              + "`");
    }
    List<String> removed = removeStale(files);
    return fail(
        ExitCodes.NOT_RUNNING,
        "no service running for "
            + files.label()
            + (removed.isEmpty()
                ? " (nothing in " + files.runDir() + ")"
                : " (removed stale " + String.join(" and ", removed) + ")"));
  }

  /** Deletes a pid file naming a dead process and a socket nobody listens on. */
  private static List<String> removeStale(RunFiles files) throws IOException {
    List<String> removed = new ArrayList<>();
    if (PidFile.liveProcess(files.pid()).isEmpty()) {
      Optional<Long> pid = PidFile.read(files.pid());
      if (Files.deleteIfExists(files.pid())) {
        removed.add(
            "pid file " + files.pid() + pid.map(p -> " (pid " + p + " is gone)").orElse(""));
      }
      if (Files.deleteIfExists(files.socket())) {
        removed.add("control socket " + files.socket());
      }
    }
    return removed;
  }

  private static boolean awaitExit(ProcessHandle process) throws InterruptedException {
    try {
      process.onExit().get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return !process.isAlive();
    }
  }

  private int fail(int code, String message) {
    err.println("runner: " + message);
    err.flush();
    return code;
  }
}
