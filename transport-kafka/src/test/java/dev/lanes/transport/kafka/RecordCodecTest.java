package dev.lanes.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Message;
import dev.lanes.api.Origin;
import dev.lanes.spi.LanesHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

  @Test
  void readsKeyPayloadHeadersTimestampAndOrigin() {
    Message message = RecordCodec.toMessage(record("orders", Map.of("trace", "t1")), false);

    assertThat(message.id()).isEqualTo("orders-3@42");
    assertThat(message.key()).isEqualTo("k1");
    assertThat(message.payloadAsString()).isEqualTo("{\"id\":1}");
    assertThat(message.headers()).containsEntry("trace", "t1");
    assertThat(message.attempt()).isEqualTo(1);
    assertThat(message.timestamp()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    assertThat(message.origin()).isEqualTo(new Origin("orders", 3, 42));
  }

  @Test
  void readsNoHeadersAsAnEmptyMapAndARepeatedHeaderAsItsLastValue() {
    assertThat(RecordCodec.toMessage(record("orders", Map.of()), false).headers()).isEmpty();

    ConsumerRecord<byte[], byte[]> repeated = record("orders", Map.of("trace", "t1"));
    repeated.headers().add("trace", "t2".getBytes(StandardCharsets.UTF_8));
    repeated.headers().add("empty", null);
    assertThat(RecordCodec.toMessage(repeated, false).headers())
        .containsExactlyInAnyOrderEntriesOf(Map.of("trace", "t2", "empty", ""));
  }

  @Test
  void takesAttemptAndIdFromHeadersOnlyOnRetryTopics() {
    Map<String, String> headers =
        Map.of(LanesHeaders.ATTEMPT, "3", LanesHeaders.ORIGINAL_ID, "orders-0@7");

    Message retried = RecordCodec.toMessage(record("orders.retry", headers), true);
    assertThat(retried.attempt()).isEqualTo(3);
    assertThat(retried.id()).isEqualTo("orders-0@7");

    Message deadLetter = RecordCodec.toMessage(record("orders.DLT", headers), false);
    assertThat(deadLetter.attempt()).isEqualTo(1);
    assertThat(deadLetter.id()).isEqualTo("orders.DLT-3@42");
  }

  @Test
  void copiesKeyValueAndHeadersByteForByteReplacingLanesHeaders() {
    byte[] binary = {(byte) 0xff, 0, (byte) 0xfe};
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace", binary);
    headers.add(LanesHeaders.ATTEMPT, "1".getBytes(StandardCharsets.UTF_8));
    headers.add(RecordCodec.RETRY_DUE, "5".getBytes(StandardCharsets.UTF_8));
    ConsumerRecord<byte[], byte[]> consumed =
        new ConsumerRecord<>(
            "orders.retry",
            0,
            7,
            0L,
            TimestampType.CREATE_TIME,
            3,
            1,
            binary,
            binary,
            headers,
            Optional.empty());

    ProducerRecord<byte[], byte[]> copy =
        RecordCodec.copyOf(
            consumed,
            "orders.DLT",
            Map.of(LanesHeaders.ATTEMPT, "2"),
            Set.of(RecordCodec.RETRY_DUE));
    assertThat(copy.topic()).isEqualTo("orders.DLT");
    assertThat(copy.key()).isEqualTo(binary);
    assertThat(copy.value()).isEqualTo(binary);
    assertThat(copy.headers().lastHeader("trace").value()).isEqualTo(binary);
    assertThat(copy.headers().headers(LanesHeaders.ATTEMPT)).hasSize(1);
    assertThat(
            new String(
                copy.headers().lastHeader(LanesHeaders.ATTEMPT).value(), StandardCharsets.UTF_8))
        .isEqualTo("2");
    assertThat(copy.headers().lastHeader(RecordCodec.RETRY_DUE)).isNull();
  }

  @Test
  void writesKeyPayloadAndHeadersAsUtf8() {
    Message message =
        Message.builder().id("x").key("ключ").payload("p").headers(Map.of("h", "v")).build();
    ProducerRecord<byte[], byte[]> record = RecordCodec.toRecord("t", message);

    assertThat(record.topic()).isEqualTo("t");
    assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("ключ");
    assertThat(record.value()).isEqualTo("p".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(record.headers().lastHeader("h").value(), StandardCharsets.UTF_8))
        .isEqualTo("v");
    assertThat(RecordCodec.toRecord("t", Message.builder().id("y").build()).key()).isNull();
  }

  private static ConsumerRecord<byte[], byte[]> record(String topic, Map<String, String> headers) {
    RecordHeaders recordHeaders = new RecordHeaders();
    headers.forEach((k, v) -> recordHeaders.add(k, v.getBytes(StandardCharsets.UTF_8)));
    return new ConsumerRecord<>(
        topic,
        3,
        42,
        1_700_000_000_000L,
        TimestampType.CREATE_TIME,
        2,
        8,
        "k1".getBytes(StandardCharsets.UTF_8),
        "{\"id\":1}".getBytes(StandardCharsets.UTF_8),
        recordHeaders,
        Optional.empty());
  }
}
