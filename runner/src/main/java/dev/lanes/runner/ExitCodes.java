package dev.lanes.runner;

import dev.lanes.api.ReadyFailedException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** The runner's exit codes and the mapping of failures onto them. */
public final class ExitCodes {

  /** The task ran and stopped cleanly; a control command did what it was asked. */
  public static final int OK = 0;

  /**
   * The task ran but failed or stopped with work left unacked; a control command failed; {@code
   * replay}: some journal entries were dead-lettered.
   */
  public static final int FAILED = 1;

  /**
   * Nothing was consumed: bad config, unknown task/transport, missing handler, broker down; for
   * {@code update}: the new config was rejected and the old one keeps running; for {@code publish}
   * and {@code replay}: the input was refused (a bad line) and nothing of it was used; for {@code
   * check}: the task file has problems.
   */
  public static final int READY_FAILED = 2;

  /** {@code status}, {@code stop} or {@code update}: no service is running for ENV/TASK. */
  public static final int NOT_RUNNING = 3;

  private ExitCodes() {}

  /** Prints a ReadyFailed as one line on stderr and exits 2; anything else exits 1. */
  static final class ExceptionMapper implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
      if (e instanceof ReadyFailedException) {
        cmd.getErr().println("runner: " + e.getMessage());
        cmd.getErr().flush();
        return READY_FAILED;
      }
      cmd.getErr().println("runner: failed: " + e);
      e.printStackTrace(cmd.getErr());
      cmd.getErr().flush();
      return FAILED;
    }
  }
}
