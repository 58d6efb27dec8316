package dev.lanes.runner;

import dev.lanes.api.MessageHandler;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.StopReport;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code runner --task NAME [--transport NAME] [--config FILE]}: runs one task in the foreground. */
@Command(
    name = "runner",
    mixinStandardHelpOptions = true,
    version = "lanes runner 0.1.0",
    description = "Runs a Lanes task: consumes its broker subscription through parallel, key-ordered lanes.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped cleanly",
      "1:failed while running, or stopped with work left unacked",
      "2:could not start (bad config, unknown task or transport, handler missing, broker down)"
    })
final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--task", required = true, description = "The task (section of the task file) to run.")
  String task;

  @Option(names = "--transport", description = "Overrides the task file's transport: memory, local, amqp, kafka, nsq.")
  String transport;

  @Option(names = "--config", defaultValue = "conf/application.conf",
      description = "The task file (HOCON). Default: ${DEFAULT-VALUE}.")
  File config;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ClassLoader loader = RunCommand.class.getClassLoader();
    TaskConfig taskConfig = TaskConfigLoader.load(TaskConfigLoader.parseFile(config), config.getPath(),
        task, transport);
    Transport chosen = Transports.load(taskConfig.transport(), loader);
    MessageHandler handler = HandlerLoader.load(taskConfig, loader);
    long seeded = Seeder.seed(taskConfig, chosen, loader);
    if (seeded > 0) {
      err.println(task + ": published " + seeded + " seed messages to " + chosen.name());
    }
    TaskRuntime runtime = TaskRuntime.create(taskConfig, chosen, handler, new SimpleMeterRegistry());
    runtime.start();
    StopReport report = new ForegroundRun(runtime, out, err).run(
        taskConfig.config().getDuration("exitWhenIdle"));
    return report.clean() ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
