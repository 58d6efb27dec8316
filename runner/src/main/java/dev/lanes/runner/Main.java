package dev.lanes.runner;

import picocli.CommandLine;

/** Entry point of the {@code runner} command; the only place that calls {@link System#exit}. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, for tests to {@code execute(...)} with captured output. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new RunCommand());
    cli.setExecutionExceptionHandler(new ExitCodes.ExceptionMapper());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }
}
