package dev.lanes.transport.local;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Message headers as a flat JSON object of strings, the form they take in the store's {@code
 * headers} column (readable with the {@code sqlite3} shell). Thread-safe.
 */
final class HeadersJson {

  private static final JsonFactory JSON = new JsonFactory();

  private HeadersJson() {}

  /** The JSON text of {@code headers}, or {@code null} for none. */
  static String write(Map<String, String> headers) {
    if (headers.isEmpty()) {
      return null;
    }
    StringWriter out = new StringWriter();
    try (JsonGenerator gen = JSON.createGenerator(out)) {
      gen.writeStartObject();
      for (Map.Entry<String, String> header : headers.entrySet()) {
        gen.writeStringField(header.getKey(), header.getValue());
      }
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Headers read back from {@link #write}'s form.
   *
   * @throws IllegalStateException when the text is not a flat JSON object of strings
   */
  static Map<String, String> read(String json) {
    if (json == null) {
      return Map.of();
    }
    Map<String, String> headers = new HashMap<>();
    try (JsonParser parser = JSON.createParser(json)) {
      expect(parser.nextToken() == JsonToken.START_OBJECT, json);
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        expect(parser.nextToken() == JsonToken.VALUE_STRING, json);
        headers.put(name, parser.getText());
      }
      expect(parser.currentToken() == JsonToken.END_OBJECT, json);
    } catch (IOException e) {
      throw new IllegalStateException("stored headers are not valid JSON: " + json, e);
    }
    return headers;
  }

  private static void expect(boolean condition, String json) {
    if (!condition) {
      throw new IllegalStateException("stored headers are not a JSON object of strings: " + json);
    }
  }
}
