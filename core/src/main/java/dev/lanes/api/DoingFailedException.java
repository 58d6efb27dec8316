package dev.lanes.api;

/**
 * A failure while handling messages, after side effects may have happened: the message concerned is
 * retried or dead-lettered and an alert is logged. Handlers may throw it to give a clear cause; it
 * is treated like any other exception (retry per policy).
 */
public class DoingFailedException extends RuntimeException {

  public DoingFailedException(String message) {
    super(message);
  }

  public DoingFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
