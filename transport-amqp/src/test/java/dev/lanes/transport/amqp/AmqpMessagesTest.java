package dev.lanes.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.lanes.api.Message;
import dev.lanes.api.Origin;
import dev.lanes.spi.LanesHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AmqpMessagesTest {

  private static final Envelope ENVELOPE = new Envelope(7, false, "e.business", "k.route");

  @Test
  void readsIdKeyAttemptTimestampAndScalarHeaders() {
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder()
            .messageId("m-1")
            .timestamp(Date.from(Instant.parse("2024-05-01T10:00:00Z")))
            .headers(
                Map.of(
                    AmqpMessages.KEY,
                    LongStringHelper.asLongString("order-35432"),
                    LanesHeaders.ATTEMPT,
                    3,
                    AmqpMessages.RETRY_QUEUE,
                    LongStringHelper.asLongString("q.work"),
                    "tenant",
                    LongStringHelper.asLongString("acme"),
                    "x-death",
                    List.of(Map.of("count", 1L))))
            .build();

    Message m = AmqpMessages.toMessage(ENVELOPE, props, "{}".getBytes(), "q.work", -1);

    assertThat(m.id()).isEqualTo("m-1");
    assertThat(m.key()).isEqualTo("order-35432");
    assertThat(m.attempt()).isEqualTo(3);
    assertThat(m.timestamp()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(m.origin().destination()).isEqualTo("q.work");
    assertThat(m.headers()).containsEntry("tenant", "acme").doesNotContainKey("x-death");
  }

  @Test
  void aDeadLetterStartsAgainAtAttemptOneOnItsOwnQueueAndCountsItsOwnRetries() {
    Message failed = Message.builder().id("m-9").payload("x").attempt(5).build();
    AMQP.BasicProperties dead =
        AmqpMessages.forDeadLetter(
            new AMQP.BasicProperties(),
            AmqpMessages.toMessage(
                    ENVELOPE,
                    AmqpMessages.forRetry(
                        new AMQP.BasicProperties(), failed, 6, "q.work", null, true),
                    new byte[0],
                    "q.work",
                    -1)
                .toBuilder()
                .attempt(5)
                .build(),
            "gave up",
            5,
            true);

    Message onDlq = AmqpMessages.toMessage(ENVELOPE, dead, new byte[0], "q.work.dlq", -1);
    assertThat(onDlq.attempt()).isEqualTo(1);
    assertThat(onDlq.headers())
        .containsEntry(LanesHeaders.ATTEMPT, "5")
        .doesNotContainKey(AmqpMessages.RETRY_QUEUE);

    AMQP.BasicProperties retriedOnDlq =
        AmqpMessages.forRetry(dead, onDlq, onDlq.attempt() + 1, "q.work.dlq", null, true);
    assertThat(
            AmqpMessages.toMessage(ENVELOPE, retriedOnDlq, new byte[0], "q.work.dlq", -1).attempt())
        .isEqualTo(2);
  }

  @Test
  void foreignMessagesGetTheRoutingKeyAsKeyAndAttemptOne() {
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder().headers(Map.of(LanesHeaders.ATTEMPT, 4)).build();
    Message m = AmqpMessages.toMessage(ENVELOPE, props, new byte[0], "q", -1);

    assertThat(m.key()).isEqualTo("k.route");
    assertThat(m.attempt()).isEqualTo(1);
    assertThat(m.id()).isNotBlank();
  }

  @Test
  void aRetryCopyKeepsPropertiesAndHeadersSetsTheAttemptAndDropsDeathBookkeeping() {
    AMQP.BasicProperties original =
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .correlationId("c-9")
            .userId("someone")
            .headers(Map.of("tenant", "acme", "x-death", List.of(), "x-first-death-queue", "q"))
            .build();
    Message m = Message.builder().id("m-2").key("k-2").payload("{}").attempt(2).build();

    AMQP.BasicProperties copy =
        AmqpMessages.forRetry(original, m, 3, "q.work", Duration.ofMillis(7200), true);

    assertThat(copy.getContentType()).isEqualTo("application/json");
    assertThat(copy.getCorrelationId()).isEqualTo("c-9");
    assertThat(copy.getUserId()).isNull();
    assertThat(copy.getMessageId()).isEqualTo("m-2");
    assertThat(copy.getDeliveryMode()).isEqualTo(2);
    assertThat(copy.getExpiration()).isEqualTo("7200");
    assertThat(copy.getHeaders())
        .containsEntry("tenant", "acme")
        .containsEntry(LanesHeaders.ATTEMPT, 3)
        .containsEntry(AmqpMessages.RETRY_QUEUE, "q.work")
        .containsEntry(AmqpMessages.KEY, "k-2")
        .doesNotContainKeys("x-death", "x-first-death-queue");
  }

  @Test
  void aDeadLetterCarriesReasonAttemptsOriginalQueueAndId() {
    Message m =
        Message.builder().id("m-3").payload("x").attempt(5).origin(Origin.of("q.work")).build();

    AMQP.BasicProperties copy =
        AmqpMessages.forDeadLetter(
            new AMQP.BasicProperties.Builder().expiration("100").build(), m, "bad input", 5, false);

    assertThat(copy.getHeaders())
        .containsEntry(LanesHeaders.REASON, "bad input")
        .containsEntry(LanesHeaders.ATTEMPT, 5)
        .containsEntry(LanesHeaders.ORIGINAL_DESTINATION, "q.work")
        .containsEntry(LanesHeaders.ORIGINAL_ID, "m-3");
    assertThat(copy.getExpiration()).isNull();
    assertThat(copy.getDeliveryMode()).isEqualTo(1);
  }

  @Test
  void publishedMessagesCarryIdKeyHeadersAndTimestamp() {
    Message m =
        Message.builder()
            .id("m-4")
            .key("k-4")
            .payload("x")
            .headers(Map.of("h", "v"))
            .timestamp(Instant.parse("2024-05-01T10:00:00Z"))
            .build();

    AMQP.BasicProperties props = AmqpMessages.forPublish(m, true);
    Message back = AmqpMessages.toMessage(ENVELOPE, props, m.payload(), "q", -1);

    assertThat(back.id()).isEqualTo("m-4");
    assertThat(back.key()).isEqualTo("k-4");
    assertThat(back.headers()).containsEntry("h", "v");
    assertThat(back.timestamp()).isEqualTo(m.timestamp());
  }
}
