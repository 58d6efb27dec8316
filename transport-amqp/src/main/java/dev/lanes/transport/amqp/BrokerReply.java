package dev.lanes.transport.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.Optional;

/**
 * Why the broker closed a channel or connection, read from the {@link ShutdownSignalException} in a
 * failure's cause chain: the AMQP reply code ({@link AMQP#NOT_FOUND}, {@link
 * AMQP#PRECONDITION_FAILED}...) to branch on, and the reply text (e.g. {@code NOT_FOUND - no queue
 * 'x' in vhost '/'}) for people. Never branch on the text: it is the broker's prose.
 */
record BrokerReply(int code, String text) {

  /** The broker's close of the first shutdown signal in {@code failure}'s cause chain, if any. */
  static Optional<BrokerReply> of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ShutdownSignalException signal) {
        Method reason = signal.getReason();
        if (reason instanceof AMQP.Channel.Close close) {
          return Optional.of(new BrokerReply(close.getReplyCode(), close.getReplyText()));
        }
        if (reason instanceof AMQP.Connection.Close close) {
          return Optional.of(new BrokerReply(close.getReplyCode(), close.getReplyText()));
        }
      }
    }
    return Optional.empty();
  }

  /** Whether the broker refused with reply code {@code code}. */
  static boolean is(Throwable failure, int code) {
    return of(failure).map(reply -> reply.code() == code).orElse(false);
  }

  /** The broker's reply text, or else the failure's own message: one line for a log or an error. */
  static String reason(Throwable failure) {
    return of(failure).map(BrokerReply::text).orElseGet(() -> String.valueOf(failure.getMessage()));
  }
}
