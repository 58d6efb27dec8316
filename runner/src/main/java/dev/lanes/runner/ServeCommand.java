package dev.lanes.runner;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.dispatch.TaskStats;
import dev.lanes.runner.control.ControlServer;
import dev.lanes.runner.control.ControlServer.Reply;
import dev.lanes.runner.control.PidFile;
import dev.lanes.runner.control.RunFiles;
import dev.lanes.runner.log.LogSetup;
import dev.lanes.runner.service.TaskService;
import dev.lanes.runner.service.TaskSource;
import dev.lanes.runtime.StopReport;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code runner serve ENV TASK}: the background service itself, as {@code runner start} launches
 * it. Writes the pid file, logs JSON to the log file, runs the task with its HTTP server, answers
 * on the control socket, reloads on SIGHUP and stops gracefully on SIGTERM, SIGINT or {@code runner
 * stop}; removes the socket and pid file when it ends, and exits 0 when the stop was clean, 1 when
 * it left work unacked (or the task failed).
 */
@Command(
    name = "serve",
    hidden = true,
    description = "Runs ENV/TASK as the background service (what `runner start` launches).")
final class ServeCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Spec CommandSpec spec;

  @Mixin ServiceTarget target;

  @Override
  public Integer call() throws IOException, InterruptedException {
    RunFiles files = target.files();
    files.createRunDir();
    Optional<PidFile.Held> held = PidFile.acquire(files.pid());
    if (held.isEmpty()) {
      throw new ReadyFailedException(
          files.label()
              + " is already running (pid "
              + PidFile.read(files.pid()).map(String::valueOf).orElse("?")
              + ")");
    }
    try (PidFile.Held pid = held.get()) {
      LogSetup.jsonFile(files.log());
      return serve(files, pid);
    } catch (ReadyFailedException e) {
      log.error("{} could not start: {}", files.label(), e.getMessage());
      throw e;
    }
  }

  private int serve(RunFiles files, PidFile.Held pid) throws IOException, InterruptedException {
    TaskService service =
        TaskService.start(
            new TaskSource(target.taskFile().toFile(), target.task, null),
            ServeCommand.class.getClassLoader());
    // caught before the control socket answers, so whoever sees the service RUNNING can signal it
    Signals signals =
        Signals.install(
            service::stop,
            () -> {
              TaskService.Reply reply = service.update();
              log.info("SIGHUP: {}", reply.text());
            });
    ControlServer control;
    try {
      control = ControlServer.bind(files.socket(), target.task, commands(service, files));
    } catch (IOException e) {
      signals.close();
      service.close();
      throw new ReadyFailedException(e.getMessage(), e);
    }
    Runnable cleanup =
        () -> {
          service.stop();
          control.close();
          service.close();
          pid.close();
        };
    Thread hook = new Thread(cleanup, "lanes-shutdown"); // any other way out of the JVM
    Runtime.getRuntime().addShutdownHook(hook);
    StopReport report;
    try (signals) {
      announce(files, service);
      while ((report = service.awaitStopped(Duration.ofMinutes(1))) == null) {
        // a stop comes from the control socket, SIGTERM/SIGINT, idle exit or a failed task
      }
      cleanup.run();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is already exiting: the hook runs the same cleanup
    }
    log.info("{} ended: {}", files.label(), report.clean() ? "stopped cleanly" : "stopped unclean");
    return report.clean() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  private void announce(RunFiles files, TaskService service) {
    String http = service.httpAddress().map(a -> ", http " + a).orElse("");
    log.info(
        "{} is serving (pid {}), control socket {}{}",
        files.label(),
        ProcessHandle.current().pid(),
        files.socket(),
        http);
    spec.commandLine()
        .getOut()
        .println(
            "runner: serving "
                + files.label()
                + " (pid "
                + ProcessHandle.current().pid()
                + ")"
                + http);
    spec.commandLine().getOut().flush();
  }

  private static ControlServer.Commands commands(TaskService service, RunFiles files) {
    return new ControlServer.Commands() {
      @Override
      public Reply status() {
        return new Reply(true, service.status() + "log: " + files.log() + "\n");
      }

      @Override
      public Reply update() {
        TaskService.Reply reply = service.update();
        return new Reply(reply.ok(), reply.text());
      }

      @Override
      public Reply stop() {
        StopReport report = service.stop();
        TaskStats stats = service.runtime().stats();
        String summary =
            String.format(
                "%s: %s in %d ms (%s); received %d, acked %d, retried %d, rejected %d%s",
                files.label(),
                report.clean() ? "stopped cleanly" : "stopped",
                report.took().toMillis(),
                report.counts(),
                stats.received(),
                stats.acked(),
                stats.retried(),
                stats.rejected(),
                report.clean() ? "" : ", left unacked for redelivery " + report.abandoned());
        return new Reply(report.clean(), summary);
      }
    };
  }
}
