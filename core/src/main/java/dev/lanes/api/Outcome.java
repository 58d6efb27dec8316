package dev.lanes.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link MessageHandler} decided about one message.
 *
 * <ul>
 *   <li>{@link Ack}: done, the broker may forget the message;
 *   <li>{@link Retry}: handle it again later; counts as an attempt of the task's retry policy, so
 *       once {@code retry.maxAttempts} is reached the message is dead-lettered instead;
 *   <li>{@link Reject}: never retry, send to the dead letter destination with the reason.
 * </ul>
 *
 * <p>Instances are immutable; the factories return shared instances where they can.
 */
public sealed interface Outcome permits Outcome.Ack, Outcome.Retry, Outcome.Reject {

  /** The message was handled. */
  static Outcome ack() {
    return Ack.INSTANCE;
  }

  /** Handle the message again after the retry policy's backoff for the next attempt. */
  static Outcome retry() {
    return Retry.POLICY;
  }

  /**
   * Handle the message again, not before {@code delay}.
   *
   * @param delay zero or positive
   */
  static Outcome retry(Duration delay) {
    return new Retry(delay);
  }

  /**
   * Give up on the message: dead-letter it with {@code reason}, never retry.
   *
   * @param reason a short human-readable cause, carried in the dead letter's headers
   */
  static Outcome reject(String reason) {
    return new Reject(reason);
  }

  /** The message was handled and can be acknowledged. */
  record Ack() implements Outcome {
    private static final Ack INSTANCE = new Ack();
  }

  /**
   * Handle again later.
   *
   * @param delay how long to wait before the next attempt, or {@code null} to use the task's retry
   *     policy backoff
   */
  record Retry(Duration delay) implements Outcome {
    private static final Retry POLICY = new Retry(null);

    public Retry {
      if (delay != null && delay.isNegative()) {
        throw new IllegalArgumentException("retry delay must not be negative: " + delay);
      }
    }
  }

  /**
   * Dead-letter the message without retrying.
   *
   * @param reason why the message cannot be handled
   */
  record Reject(String reason) implements Outcome {
    public Reject {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
