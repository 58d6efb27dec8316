package dev.lanes.runner;

import dev.lanes.runner.log.LogSetup;
import dev.lanes.runner.publish.PublishCommand;
import dev.lanes.runner.replay.ReplayCommand;
import dev.lanes.runner.service.TaskService;
import dev.lanes.runner.service.TaskSource;
import dev.lanes.runtime.StopReport;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code runner --task NAME [--transport NAME] [--config FILE] [--plugins DIR]}: runs one task in
 * the foreground. Also accepts the control commands in flag form ({@code runner --start ENV TASK},
 * {@code --stop}, {@code --restart}, {@code --update}, {@code --status}), same as the subcommands.
 */
@Command(
    name = "runner",
    mixinStandardHelpOptions = true,
    version = "lanes runner 0.1.0",
    description =
        "Runs a Lanes task: consumes its broker subscription through parallel, key-ordered lanes.",
    subcommands = {
      ControlCommands.Start.class,
      ControlCommands.Stop.class,
      ControlCommands.Restart.class,
      ControlCommands.Update.class,
      ControlCommands.Status.class,
      ServeCommand.class,
      CheckCommand.class,
      PublishCommand.class,
      ReplayCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped cleanly; a control command did what it was asked",
      "1:failed while running, or stopped with work left unacked; a control command failed;"
          + " replay: some entries were dead-lettered",
      "2:could not start (bad config, unknown task or transport, handler missing, broker down);"
          + " update: the new config was rejected; publish, replay: bad input, nothing was used;"
          + " check: problems found",
      "3:status/stop/update: no service is running for ENV/TASK"
    })
final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--task",
      description = "The task (section of the task file) to run in the foreground.")
  String task;

  @Option(
      names = "--transport",
      description = "Overrides the task file's transport: memory, local, amqp, kafka, nsq.")
  String transport;

  @Option(
      names = "--config",
      defaultValue = "conf/application.conf",
      description = "The task file (HOCON) of a foreground run. Default: ${DEFAULT-VALUE}.")
  File config;

  @Option(
      names = "--plugins",
      paramLabel = "DIR",
      description = "The directory of handler plugin jars; overrides the task file's plugins.dir.")
  Path plugins;

  @Option(
      names = "--progress",
      defaultValue = "auto",
      description =
          "Progress on stderr: auto, tty (one line redrawn), plain (a line every 10 s), off."
              + " Default: ${DEFAULT-VALUE}.")
  ProgressDisplay.Mode progress;

  @Option(
      names = "--start",
      arity = "2",
      paramLabel = "ENV TASK",
      description = "Same as `runner start ENV TASK`.")
  List<String> start;

  @Option(
      names = "--stop",
      arity = "2",
      paramLabel = "ENV TASK",
      description = "Same as `runner stop ENV TASK`.")
  List<String> stop;

  @Option(
      names = "--restart",
      arity = "2",
      paramLabel = "ENV TASK",
      description = "Same as `runner restart ENV TASK`.")
  List<String> restart;

  @Option(
      names = "--update",
      arity = "2",
      paramLabel = "ENV TASK",
      description = "Same as `runner update ENV TASK`.")
  List<String> update;

  @Option(
      names = "--status",
      arity = "2",
      paramLabel = "ENV TASK",
      description = "Same as `runner status ENV TASK`.")
  List<String> status;

  @Option(
      names = "--conf-dir",
      defaultValue = "conf",
      paramLabel = "DIR",
      description = "With a control flag: where ENV.conf is. Default: ${DEFAULT-VALUE}.")
  Path confDir;

  @Option(
      names = "--run-dir",
      defaultValue = "run",
      paramLabel = "DIR",
      description =
          "With a control flag: where the pid file, socket and logs are. Default: ${DEFAULT-VALUE}.")
  Path runDir;

  @Override
  public Integer call() throws Exception {
    Integer controlled = controlFlag();
    if (controlled != null) {
      return controlled;
    }
    if (task == null) {
      throw new ParameterException(
          spec.commandLine(),
          "Missing required option: '--task=<task>'"
              + " (or a control command: start|stop|restart|update|status ENV TASK)");
    }
    TaskSource source = new TaskSource(config, task, transport, plugins);
    if (source.load().settings().log().format().equals("json")) {
      LogSetup.jsonStderr();
    }
    StopReport report;
    try (TaskService service = TaskService.start(source, RunCommand.class.getClassLoader())) {
      report =
          new ForegroundRun(
                  service, spec.commandLine().getOut(), spec.commandLine().getErr(), progress)
              .run();
    }
    return report.clean() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  private Integer controlFlag() throws Exception {
    int given = count(start) + count(stop) + count(restart) + count(update) + count(status);
    if (given == 0) {
      return null;
    }
    if (given > 1 || task != null) {
      throw new ParameterException(
          spec.commandLine(),
          "give one control flag (--start, --stop, --restart, --update or --status) and no --task");
    }
    ServiceControl control =
        new ServiceControl(spec.commandLine().getOut(), spec.commandLine().getErr());
    if (start != null) {
      return control.start(target(start));
    } else if (stop != null) {
      return control.stop(target(stop));
    } else if (restart != null) {
      return control.restart(target(restart));
    } else if (update != null) {
      return control.update(target(update));
    }
    return control.status(target(status));
  }

  private static int count(List<String> flag) {
    return flag == null ? 0 : 1;
  }

  private ServiceTarget target(List<String> envAndTask) {
    return ServiceTarget.of(envAndTask.get(0), envAndTask.get(1), confDir, runDir);
  }
}
