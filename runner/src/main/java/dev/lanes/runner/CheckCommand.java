package dev.lanes.runner;

import dev.lanes.runner.check.TaskFileCheck;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code runner check [--config FILE] [--task T]}: validates every task of a task file (or one)
 * without brokers or handlers, for CI before a deploy. Prints one line per problem and exits 2, or
 * one OK line and exits 0.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description =
        "Validates a task file without connecting to a broker: values, unknown (typo) keys,"
            + " transport, handler class. One line per problem.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:no problem found", "2:problems found, one line each on standard output"})
final class CheckCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      defaultValue = "conf/application.conf",
      description = "The task file (HOCON). Default: ${DEFAULT-VALUE}.")
  File config;

  @Option(names = "--task", description = "Check only this task; default: every task.")
  String task;

  @Option(
      names = "--transport",
      description = "Overrides the task file's transport, as for a run with --transport.")
  String transport;

  @Option(
      names = "--plugins",
      paramLabel = "DIR",
      description = "The directory of handler plugin jars; overrides the task file's plugins.dir.")
  Path plugins;

  @Override
  public Integer call() {
    TaskFileCheck.Result result =
        new TaskFileCheck(config, transport, plugins, CheckCommand.class.getClassLoader())
            .run(task);
    PrintWriter out = spec.commandLine().getOut();
    result.problems().forEach(out::println);
    if (result.problems().isEmpty()) {
      int n = result.tasks().size();
      out.println(
          config
              + ": OK, "
              + n
              + (n == 1 ? " task (" : " tasks (")
              + String.join(", ", result.tasks())
              + ")");
    }
    out.flush();
    return result.problems().isEmpty() ? ExitCodes.OK : ExitCodes.READY_FAILED;
  }
}
