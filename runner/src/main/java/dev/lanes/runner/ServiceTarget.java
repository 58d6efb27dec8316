package dev.lanes.runner;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.runner.control.RunFiles;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ENV TASK [--conf-dir DIR] [--run-dir DIR]}: which background service a command means. */
final class ServiceTarget {

  @Parameters(
      index = "0",
      paramLabel = "ENV",
      description = "Names the task file ENV.conf in --conf-dir.")
  String env;

  @Parameters(
      index = "1",
      paramLabel = "TASK",
      description = "The task (section of the task file).")
  String task;

  @Option(
      names = "--conf-dir",
      defaultValue = "conf",
      paramLabel = "DIR",
      description = "Where the task files ENV.conf are. Default: ${DEFAULT-VALUE}.")
  Path confDir;

  @Option(
      names = "--run-dir",
      defaultValue = "run",
      paramLabel = "DIR",
      description =
          "Where the service's pid file, control socket and logs are. Default: ${DEFAULT-VALUE}.")
  Path runDir;

  static ServiceTarget of(String env, String task, Path confDir, Path runDir) {
    ServiceTarget target = new ServiceTarget();
    target.env = env;
    target.task = task;
    target.confDir = confDir;
    target.runDir = runDir;
    return target;
  }

  Path taskFile() {
    return confDir.resolve(env + ".conf");
  }

  /**
   * @throws ReadyFailedException when ENV or TASK cannot be part of a file name
   */
  RunFiles files() {
    try {
      return new RunFiles(runDir, env, task);
    } catch (IllegalArgumentException e) {
      throw new ReadyFailedException(e.getMessage());
    }
  }
}
