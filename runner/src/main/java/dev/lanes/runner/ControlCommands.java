package dev.lanes.runner;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The control subcommands: {@code runner start|stop|restart|update|status ENV TASK}. */
final class ControlCommands {

  private ControlCommands() {}

  private abstract static class ControlCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ServiceTarget target;

    ServiceControl control() {
      return new ServiceControl(spec.commandLine().getOut(), spec.commandLine().getErr());
    }
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description =
          "Starts ENV/TASK as a background service (pid file, control socket and log in --run-dir)"
              + " and waits until it runs.")
  static final class Start extends ControlCommand {
    @Override
    public Integer call() throws Exception {
      return control().start(target);
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = "Stops the service gracefully and waits until it has exited.")
  static final class Stop extends ControlCommand {
    @Override
    public Integer call() throws Exception {
      return control().stop(target);
    }
  }

  @Command(
      name = "restart",
      mixinStandardHelpOptions = true,
      description =
          "Stops the service gracefully (unfinished work goes back to the broker), then starts it.")
  static final class Restart extends ControlCommand {
    @Override
    public Integer call() throws Exception {
      return control().restart(target);
    }
  }

  @Command(
      name = "update",
      mixinStandardHelpOptions = true,
      description =
          "Makes the service re-read ENV.conf: applied live where possible, else the pipeline"
              + " restarts gracefully; an invalid file is rejected and the old config keeps running.")
  static final class Update extends ControlCommand {
    @Override
    public Integer call() throws Exception {
      return control().update(target);
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Prints the service's state, lanes, in-flight, rates, backlog and HTTP address.")
  static final class Status extends ControlCommand {
    @Override
    public Integer call() throws Exception {
      return control().status(target);
    }
  }
}
