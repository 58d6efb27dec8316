package dev.lanes.runtime;

import dev.lanes.api.Message;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.Transport;
import dev.lanes.spi.TransportContext;
import dev.lanes.spi.TransportMeters;
import io.micrometer.core.instrument.Counter;
import java.util.List;

/**
 * A transport's publisher that counts what it published and what failed, as the shared {@link
 * TransportMeters#PUBLISHED} and {@link TransportMeters#PUBLISH_FAILURES} on the context's meters:
 * the same two series on every broker, because a publish returns only once the broker took the
 * message (a confirm, an ack, a commit) and throws otherwise.
 */
public final class MeteredPublisher implements Publisher {

  private final Publisher publisher;
  private final Counter published;
  private final Counter failures;

  private MeteredPublisher(Publisher publisher, TransportContext context) {
    this.publisher = publisher;
    this.published =
        Counter.builder(TransportMeters.PUBLISHED)
            .description("Messages the broker took from this task's publisher")
            .register(context.meters());
    this.failures =
        Counter.builder(TransportMeters.PUBLISH_FAILURES)
            .description("Messages this task's publisher failed to hand to the broker")
            .register(context.meters());
  }

  /** Opens {@code transport}'s publisher for the context's task and counts on its meters. */
  public static MeteredPublisher open(Transport transport, TransportContext context) {
    return new MeteredPublisher(transport.openPublisher(context), context);
  }

  @Override
  public void publish(Message message) throws Exception {
    try {
      publisher.publish(message);
    } catch (Exception | Error e) {
      failures.increment();
      throw e;
    }
    published.increment();
  }

  @Override
  public void publishAll(List<Message> messages) throws Exception {
    try {
      publisher.publishAll(messages);
    } catch (Exception | Error e) {
      failures.increment(messages.size());
      throw e;
    }
    published.increment(messages.size());
  }

  @Override
  public List<String> publishBatch(List<Message> messages) throws Exception {
    List<String> ids;
    try {
      ids = publisher.publishBatch(messages);
    } catch (Exception | Error e) {
      failures.increment(messages.size());
      throw e;
    }
    published.increment(messages.size());
    return ids;
  }

  @Override
  public void close() {
    publisher.close();
  }
}
