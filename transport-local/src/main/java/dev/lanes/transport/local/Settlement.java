package dev.lanes.transport.local;

/**
 * One change to a claimed row, applied only if the row is still held under the same claim.
 *
 * @param kind what to do
 * @param message the claimed row
 * @param at for {@link Kind#RETRY} when it is due again, for {@link Kind#RENEW} the new lease
 *     deadline, epoch milliseconds; unused otherwise
 * @param reason for {@link Kind#REJECT}, why
 */
record Settlement(Kind kind, StoredMessage message, long at, String reason) {

  /** The changes a consumer makes to the rows it holds. */
  enum Kind {
    /** Delete the row: handled. */
    ACK,
    /** Make it due again at {@code at} as attempt {@code message.attempt()}. */
    RETRY,
    /**
     * Move it to the dead-letter queue with {@code reason}, {@code message.attempt()} attempts
     * made.
     */
    REJECT,
    /** Extend its lease to {@code at}. */
    RENEW,
    /** Give it back unhandled: due again at its previous due time. */
    RELEASE
  }

  /** Whether this settles the row for good (the consumer stops holding it once applied). */
  boolean isFinal() {
    return kind != Kind.RENEW;
  }
}
