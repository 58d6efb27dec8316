package dev.lanes.api;

/**
 * A failure before any message was touched: bad config, broker unreachable at start, handler class
 * missing or failing to open. No side effects happened; the runner exits with code 2 and prints
 * {@link #getMessage()} as one line, so the message must say what, where, and what to do.
 */
public class ReadyFailedException extends RuntimeException {

  public ReadyFailedException(String message) {
    super(message);
  }

  public ReadyFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
