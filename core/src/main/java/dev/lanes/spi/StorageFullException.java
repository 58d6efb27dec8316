package dev.lanes.spi;

/**
 * A {@link Publisher} could not store messages because the storage under its destination is full
 * (the local queue's disk): nothing of the failed call was stored, what was stored before is kept,
 * and the same call can succeed once space is freed. The runner answers {@code POST
 * /tasks/{task}/messages} with 507 Insufficient Storage and {@code runner publish} exits 1, both
 * with this exception's message, which names the full place and what to do.
 */
public class StorageFullException extends RuntimeException {

  public StorageFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
