package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

  @Test
  void plainMessagesTravelAsTheirRawPayload() {
    byte[] payload = "{\"order_id\":1}".getBytes(StandardCharsets.UTF_8);
    assertThat(Envelope.encode(null, Map.of(), payload)).isSameAs(payload);
    Envelope.Contents decoded = Envelope.decode(payload);
    assertThat(decoded.key()).isNull();
    assertThat(decoded.headers()).isEmpty();
    assertThat(decoded.payload()).isSameAs(payload);
  }

  @Test
  void keyHeadersAndTextPayloadRoundTrip() {
    byte[] payload =
        "{\"data\":{\"order_id\":\"o1\"}} \u00e9\u4e2d\n\"q\"".getBytes(StandardCharsets.UTF_8);
    byte[] body =
        Envelope.encode("o1", Map.of("a", "1", "lanes-reason", "bad \"payload\""), payload);
    assertThat(new String(body, StandardCharsets.UTF_8))
        .startsWith(Envelope.PREFIX)
        .contains("\"payload\":\"{\\\"data\\\"");
    Envelope.Contents decoded = Envelope.decode(body);
    assertThat(decoded.key()).isEqualTo("o1");
    assertThat(decoded.headers())
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "lanes-reason", "bad \"payload\""));
    assertThat(decoded.payload()).isEqualTo(payload);
  }

  @Test
  void binaryAndEmptyPayloadsRoundTrip() {
    byte[] binary = {(byte) 0xff, 0, (byte) 0xc3, 0x28, 1};
    Envelope.Contents decoded = Envelope.decode(Envelope.encode(null, Map.of("h", "v"), binary));
    assertThat(decoded.payload()).isEqualTo(binary);
    assertThat(new String(Envelope.encode(null, Map.of("h", "v"), binary), StandardCharsets.UTF_8))
        .contains("payload_base64");

    byte[] emptyBody = Envelope.encode(null, Map.of(), new byte[0]);
    assertThat(emptyBody).as("NSQ refuses empty bodies, so they are wrapped").isNotEmpty();
    assertThat(Envelope.decode(emptyBody).payload()).isEmpty();
  }

  @Test
  void unknownFieldsOfLaterVersionsAreSkipped() {
    String body = Envelope.PREFIX + "\"future\":{\"x\":[1,2]},\"headers\":{},\"payload\":\"p\"}";
    assertThat(Envelope.decode(body.getBytes(StandardCharsets.UTF_8)).payload())
        .isEqualTo("p".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aBrokenEnvelopeIsReported() {
    byte[] body = (Envelope.PREFIX + "\"headers\":{\"h\":1}}").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Envelope.decode(body)).isInstanceOf(IllegalArgumentException.class);
  }
}
