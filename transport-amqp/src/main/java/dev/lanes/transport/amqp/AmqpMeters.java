package dev.lanes.transport.amqp;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.LongAdder;

/**
 * Puts the AMQP source's own counters ({@link AmqpStats}) in {@code /metrics}, as {@code
 * lanes.amqp.*} function counters on the task-scoped registry of its {@code TransportContext} (so
 * they carry the task's tags and go away with the task). The counters whose concept every broker
 * shares are not among them: the runtime registers those ({@link dev.lanes.spi.TransportMeters}).
 * Names and meanings: docs/operations.md, "AMQP meters".
 */
final class AmqpMeters {

  private AmqpMeters() {}

  static void register(AmqpStats stats, MeterRegistry registry) {
    Registrar on = new Registrar(registry);
    on.counter("acks", Tags.of("multiple", "true"), stats.multipleAcks, "basic.ack frames");
    on.counter("acks", Tags.of("multiple", "false"), stats.singleAcks, "basic.ack frames");
    on.counter(
        "channel.losses",
        stats.channelLosses,
        "Times the consume channel was lost without Lanes asking (connection or channel error)");
    on.counter(
        "stale.settles",
        stats.staleSettles,
        "Settles of deliveries whose channel was lost, ignored: the broker redelivers them");
    on.counter(
        "after.stop",
        stats.afterStop,
        "Deliveries that arrived after the source stopped receiving, left unacked for redelivery");
    String copies = "Retry copies and dead letters the broker confirmed";
    on.counter("copies.confirmed", Tags.of("kind", "retry"), stats.retriesPublished, copies);
    on.counter(
        "copies.confirmed", Tags.of("kind", "dead-letter"), stats.deadLettersPublished, copies);
    String refused = "Retry copies and dead letters that could not be published";
    on.counter("copies.refused", Tags.of("reason", "buffer-full"), stats.overflows, refused);
    on.counter("copies.refused", Tags.of("reason", "unroutable"), stats.unroutable, refused);
    on.counter(
        "copies.duplicated",
        stats.duplicates,
        "Copies confirmed after their original's channel was lost: the original comes back too");
    on.counter(
        "held",
        stats.held,
        "Deliveries kept unacked because their retry copy or dead letter could not be published");
    on.counter(
        "requeued", stats.requeued, "Held deliveries handed back to their queue (basic.nack)");
  }

  private record Registrar(MeterRegistry registry) {

    void counter(String name, LongAdder count, String description) {
      counter(name, Tags.empty(), count, description);
    }

    void counter(String name, Tags tags, LongAdder count, String description) {
      FunctionCounter.builder("lanes.amqp." + name, count, LongAdder::sum)
          .tags(tags)
          .description(description)
          .register(registry);
    }
  }
}
