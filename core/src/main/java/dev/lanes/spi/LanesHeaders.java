package dev.lanes.spi;

/**
 * Header names Lanes writes on retried and dead-lettered messages, the same on every broker that
 * has headers.
 */
public final class LanesHeaders {

  /**
   * The attempt number: on a message handed back for a broker-side retry, the attempt it will have
   * when delivered again; on a dead letter, the attempt that failed last. A dead letter's own
   * consumer starts again at attempt 1.
   */
  public static final String ATTEMPT = "lanes-attempt";

  /** Why the message was dead-lettered. */
  public static final String REASON = "lanes-reason";

  /** The queue/topic the message was first consumed from. */
  public static final String ORIGINAL_DESTINATION = "lanes-original-destination";

  /** The partition it was consumed from, where the broker has partitions. */
  public static final String ORIGINAL_PARTITION = "lanes-original-partition";

  /** The offset it was consumed from, where the broker has offsets. */
  public static final String ORIGINAL_OFFSET = "lanes-original-offset";

  /** The original message id. */
  public static final String ORIGINAL_ID = "lanes-original-id";

  private LanesHeaders() {}
}
