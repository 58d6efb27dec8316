package dev.lanes.runner.replay;

import dev.lanes.api.Message;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runner.ExitCodes;
import dev.lanes.runner.replay.JournalReader.BadJournal;
import dev.lanes.runner.service.RunnerSettings;
import dev.lanes.spi.TaskConfig;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code runner replay --task T --journal FILE}: feeds every entry of an audit journal (the JSON
 * lines {@code AuditJournalHandler} writes) through task T's handler, in this process, with T's
 * lanes, routing and retry policy (see {@link Replay}), then prints a summary. The whole journal is
 * checked first: one malformed line and nothing is handled (exit 2).
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description =
        "Feeds an audit journal (one JSON object per line, as AuditJournalHandler writes)"
            + " through a task's handler, in process, with the task's lanes and retry policy.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every entry was handled and acked",
      "1:some entries were dead-lettered (reasons in the summary), or the replay did not finish",
      "2:nothing was replayed: malformed journal (file:line named), bad config, unknown task, handler missing"
    })
public final class ReplayCommand implements Callable<Integer> {

  private static final int MAX_REASONS = 10;

  @Spec CommandSpec spec;

  @Option(
      names = "--task",
      required = true,
      description = "The task whose handler gets the entries.")
  String task;

  @Option(
      names = "--journal",
      required = true,
      paramLabel = "FILE",
      description = "The journal to replay.")
  Path journal;

  @Option(
      names = "--config",
      defaultValue = "conf/application.conf",
      description = "The task file (HOCON). Default: ${DEFAULT-VALUE}.")
  File config;

  @Option(
      names = "--transport",
      description =
          "Reads the task's config as `runner --transport` would; the replay itself always runs in"
              + " process (memory transport) and touches no broker.")
  String transport;

  @Option(
      names = "--plugins",
      paramLabel = "DIR",
      description = "The directory of handler plugin jars; overrides the task file's plugins.dir.")
  Path plugins;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Message> entries;
    try {
      entries = JournalReader.read(journal);
    } catch (BadJournal e) {
      err.println("runner: replay: " + e.getMessage() + "; nothing was replayed");
      err.flush();
      return ExitCodes.READY_FAILED;
    }
    TaskConfig taskConfig =
        TaskConfigLoader.load(
            TaskConfigLoader.parseFile(config), config.getPath(), task, transport);
    Path pluginsDir = plugins != null ? plugins : RunnerSettings.of(taskConfig).pluginsDir();
    Replay.Report report =
        Replay.run(taskConfig, pluginsDir, entries, ReplayCommand.class.getClassLoader());
    summarize(out, report);
    return report.allAcked() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  private void summarize(PrintWriter out, Replay.Report report) {
    long unfinished = report.replayed() - report.acked() - report.deadLettered();
    out.printf(
        "replay: %s: replayed %d entries of %s in %d ms: acked %d, dead-lettered %d%s%n",
        task,
        report.replayed(),
        journal,
        report.took().toMillis(),
        report.acked(),
        report.deadLettered(),
        report.finished()
            ? ""
            : ", " + unfinished + " not finished (the task failed or stopped early)");
    int shown = 0;
    for (Map.Entry<String, Long> reason : report.deadLetters().entrySet()) {
      if (shown++ == MAX_REASONS) {
        out.printf("  ... and %d more reasons%n", report.deadLetters().size() - MAX_REASONS);
        break;
      }
      out.printf("  %d  %s%n", reason.getValue(), reason.getKey());
    }
    out.flush();
  }
}
