package dev.lanes.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Message;
import dev.lanes.api.Origin;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LanesHeadersTest {

  @Test
  void aFirstDeadLetterNamesWhereTheMessageWasConsumed() {
    Message kafka =
        Message.builder().id("m1").payload("{}").origin(new Origin("orders", 3, 42)).build();
    assertThat(LanesHeaders.deadLetter(kafka, "bad", 2))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                LanesHeaders.REASON, "bad",
                LanesHeaders.ATTEMPT, "2",
                LanesHeaders.ORIGINAL_DESTINATION, "orders",
                LanesHeaders.ORIGINAL_PARTITION, "3",
                LanesHeaders.ORIGINAL_OFFSET, "42",
                LanesHeaders.ORIGINAL_ID, "m1"));
  }

  @Test
  void aBrokerWithoutPartitionsOrOffsetsWritesNeither() {
    Message amqp = Message.builder().id("m1").payload("{}").origin(Origin.of("work")).build();
    assertThat(LanesHeaders.retry(amqp, 3))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                LanesHeaders.ATTEMPT, "3",
                LanesHeaders.ORIGINAL_DESTINATION, "work",
                LanesHeaders.ORIGINAL_ID, "m1"));
  }

  @Test
  void theFirstOriginIsKeptAcrossHops() {
    Message replayed =
        Message.builder()
            .id("m2")
            .payload("{}")
            .origin(new Origin("orders.DLT", 0, 7))
            .headers(
                Map.of(
                    LanesHeaders.ORIGINAL_DESTINATION, "orders",
                    LanesHeaders.ORIGINAL_OFFSET, "42",
                    LanesHeaders.ORIGINAL_ID, "m1",
                    LanesHeaders.REASON, "earlier"))
            .build();
    assertThat(LanesHeaders.deadLetter(replayed, "again", 1))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                LanesHeaders.REASON, "again",
                LanesHeaders.ATTEMPT, "1",
                LanesHeaders.ORIGINAL_DESTINATION, "orders",
                LanesHeaders.ORIGINAL_OFFSET, "42",
                LanesHeaders.ORIGINAL_ID, "m1"));
  }

  @Test
  void aRetryCopysAttemptIsItsHeaderAtLeastOne() {
    assertThat(LanesHeaders.attempt(Map.of(LanesHeaders.ATTEMPT, "3"))).isEqualTo(3);
    assertThat(LanesHeaders.attempt(Map.of(LanesHeaders.ATTEMPT, " 4 "))).isEqualTo(4);
    assertThat(LanesHeaders.attempt(Map.of(LanesHeaders.ATTEMPT, "0"))).isEqualTo(1);
    assertThat(LanesHeaders.attempt(Map.of(LanesHeaders.ATTEMPT, "-2"))).isEqualTo(1);
    assertThat(LanesHeaders.attempt(Map.of(LanesHeaders.ATTEMPT, "three"))).isEqualTo(1);
    assertThat(LanesHeaders.attempt(Map.of())).isEqualTo(1);
  }

  /**
   * A broker's own origin headers (NSQ's channel) follow the same rule: written on the first dead
   * letter, kept from the message when it already carries a first origin.
   */
  @Test
  void aBrokersOwnOriginHeadersAreWrittenOnceAndKeptAcrossHops() {
    Message first = Message.builder().id("m1").payload("{}").origin(Origin.of("orders")).build();
    assertThat(
            LanesHeaders.deadLetter(first, "bad", 2, Map.of("lanes-original-channel", "billing")))
        .containsEntry("lanes-original-channel", "billing")
        .containsEntry(LanesHeaders.ORIGINAL_DESTINATION, "orders");

    Message replayed =
        Message.builder()
            .id("m2")
            .payload("{}")
            .origin(Origin.of("orders.dlq"))
            .headers(
                Map.of(
                    LanesHeaders.ORIGINAL_DESTINATION,
                    "orders",
                    "lanes-original-channel",
                    "billing"))
            .build();
    assertThat(
            LanesHeaders.deadLetter(
                replayed, "bad again", 1, Map.of("lanes-original-channel", "replayer")))
        .containsEntry("lanes-original-channel", "billing")
        .containsEntry(LanesHeaders.ORIGINAL_DESTINATION, "orders");
  }
}
