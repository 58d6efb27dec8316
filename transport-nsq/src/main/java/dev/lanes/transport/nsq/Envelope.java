package dev.lanes.transport.nsq;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Carries what an NSQ message has no place for (a key, headers) in its body, as a small JSON
 * envelope: {@code {"lanes_envelope":1,"key":"k","headers":{...},"payload":"<text>"}}, with {@code
 * payload_base64} instead of {@code payload} when the payload is not UTF-8 text.
 *
 * <p>Only messages that need it are wrapped: one without key and headers is sent as its raw
 * payload, so other NSQ clients on the topic see plain bodies. A body is read as an envelope only
 * when it starts with the exact bytes {@link #PREFIX}. Stateless and thread-safe.
 */
final class Envelope {

  /** The first bytes of every envelope (the encoder writes no whitespace). */
  static final String PREFIX = "{\"lanes_envelope\":1,";

  private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);
  private static final JsonFactory JSON = new JsonFactory();

  /** What a body carries. */
  record Contents(String key, Map<String, String> headers, byte[] payload) {}

  private Envelope() {}

  /**
   * The NSQ body for a message: its raw payload when it has no key and no headers (and is not
   * empty, which NSQ refuses), else an envelope.
   */
  static byte[] encode(String key, Map<String, String> headers, byte[] payload) {
    if (key == null && headers.isEmpty() && payload.length > 0) {
      return payload;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 64);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("lanes_envelope", 1);
      g.writeObjectFieldStart("headers");
      for (Map.Entry<String, String> header : headers.entrySet()) {
        g.writeStringField(header.getKey(), header.getValue());
      }
      g.writeEndObject();
      if (key != null) {
        g.writeStringField("key", key);
      }
      String text = utf8(payload);
      if (text != null) {
        g.writeStringField("payload", text);
      } else {
        g.writeStringField("payload_base64", Base64.getEncoder().encodeToString(payload));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
    return out.toByteArray();
  }

  /** Whether {@code body} is an envelope. */
  static boolean isEnvelope(byte[] body) {
    return body.length > PREFIX_BYTES.length
        && Arrays.equals(body, 0, PREFIX_BYTES.length, PREFIX_BYTES, 0, PREFIX_BYTES.length);
  }

  /**
   * What {@code body} carries: the envelope's contents, or the body itself as payload when it is
   * not an envelope.
   *
   * @throws IllegalArgumentException when the body starts like an envelope but is not a valid one
   */
  static Contents decode(byte[] body) {
    if (!isEnvelope(body)) {
      return new Contents(null, Map.of(), body);
    }
    try (JsonParser p = JSON.createParser(body)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      String key = null;
      Map<String, String> headers = Map.of();
      byte[] payload = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "key" -> key = value == JsonToken.VALUE_NULL ? null : p.getText();
          case "headers" -> headers = headers(p, value);
          case "payload" -> payload = p.getText().getBytes(StandardCharsets.UTF_8);
          case "payload_base64" -> payload = Base64.getDecoder().decode(p.getText());
          default -> p.skipChildren(); // lanes_envelope, and fields of later versions
        }
      }
      if (payload == null) {
        throw new IllegalArgumentException("envelope without payload");
      }
      return new Contents(key, headers, payload);
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid envelope: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> headers(JsonParser p, JsonToken start) throws IOException {
    expect(start, JsonToken.START_OBJECT);
    Map<String, String> headers = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      expect(p.nextToken(), JsonToken.VALUE_STRING);
      headers.put(name, p.getText());
    }
    return headers;
  }

  private static void expect(JsonToken actual, JsonToken expected) {
    if (actual != expected) {
      throw new IllegalArgumentException("expected " + expected + ", found " + actual);
    }
  }

  /** The payload as text when it is valid UTF-8, else {@code null}. */
  private static String utf8(byte[] payload) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(payload))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
