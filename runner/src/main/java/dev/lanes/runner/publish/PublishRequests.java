package dev.lanes.runner.publish;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.lanes.api.Message;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads publish requests — the body of {@code POST /tasks/{task}/messages} and each line of {@code
 * runner publish} — into messages:
 *
 * <pre>{@code {"content": {...} | "text", "key": "o-7", "headers": {"h": "v"},
 *  "deliverAt": 1767225600 | "2026-01-01T00:00:00Z", "delay": "5s"}}</pre>
 *
 * <p>{@code content} is required: a JSON string is published as its text, any other JSON value as
 * its JSON. {@code deliverAt} and {@code delay} become the scheduling headers of the local
 * transport, which checks their values. A body may also be an array of such objects. Any error
 * names the position of the bad message, and nothing of the request is used then.
 */
public final class PublishRequests {

  /** The scheduling headers the local transport reads (see its LocalHeaders). */
  static final String DELIVER_AT = "deliverAt";

  static final String DELAY = "delay";

  private static final JsonFactory JSON = new JsonFactory();

  private PublishRequests() {}

  /** A request that cannot be published; the message says what is wrong and where. */
  public static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message);
    }
  }

  /** One object, or an array of objects. */
  public static List<Message> parseBody(byte[] body) throws BadRequest {
    try (JsonParser parser = JSON.createParser(body)) {
      JsonToken first = parser.nextToken();
      List<Message> messages = new ArrayList<>();
      if (first == JsonToken.START_ARRAY) {
        while (parser.nextToken() == JsonToken.START_OBJECT) {
          messages.add(message(parser, "message " + (messages.size() + 1)));
        }
        expect(
            parser.currentToken() == JsonToken.END_ARRAY, "the array holds only message objects");
      } else {
        expect(first == JsonToken.START_OBJECT, "the body is a message object or an array of them");
        messages.add(message(parser, "the message"));
      }
      expect(parser.nextToken() == null, "nothing may follow the JSON value");
      expect(!messages.isEmpty(), "the array is empty");
      return messages;
    } catch (JsonParseException e) {
      throw new BadRequest("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadRequest("unreadable body: " + e.getMessage());
    }
  }

  /** One JSON object on one line; {@code where} names it in errors, e.g. "line 7". */
  public static Message parseLine(String line, String where) throws BadRequest {
    try (JsonParser parser = JSON.createParser(line)) {
      expect(parser.nextToken() == JsonToken.START_OBJECT, where + ": expected a JSON object");
      Message message = message(parser, where);
      expect(parser.nextToken() == null, where + ": nothing may follow the JSON object");
      return message;
    } catch (JsonParseException e) {
      throw new BadRequest(where + ": malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadRequest(where + ": unreadable: " + e.getMessage());
    }
  }

  /** Parser on START_OBJECT; leaves it on the matching END_OBJECT. */
  private static Message message(JsonParser parser, String where) throws IOException, BadRequest {
    Message.Builder builder = Message.builder();
    Map<String, String> headers = new HashMap<>();
    boolean hasContent = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "content" -> {
          builder.payload(content(parser, value));
          hasContent = true;
        }
        case "key" -> builder.key(scalar(parser, value, where, "key"));
        case "headers" -> headers.putAll(headers(parser, value, where));
        case "deliverAt" -> headers.put(DELIVER_AT, scalar(parser, value, where, "deliverAt"));
        case "delay" -> headers.put(DELAY, scalar(parser, value, where, "delay"));
        default ->
            throw new BadRequest(
                where
                    + ": unknown field '"
                    + field
                    + "' (fields: content, key, headers, deliverAt, delay)");
      }
    }
    expect(hasContent, where + ": 'content' is required");
    return builder.headers(headers).build();
  }

  private static String content(JsonParser parser, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return parser.getText();
    }
    StringWriter json = new StringWriter();
    try (JsonGenerator generator = JSON.createGenerator(json)) {
      generator.copyCurrentStructure(parser);
    }
    return json.toString();
  }

  private static String scalar(JsonParser parser, JsonToken value, String where, String field)
      throws IOException, BadRequest {
    expect(
        value == JsonToken.VALUE_STRING
            || value == JsonToken.VALUE_NUMBER_INT
            || value == JsonToken.VALUE_NUMBER_FLOAT,
        where + ": '" + field + "' must be a string or a number");
    return parser.getText();
  }

  private static Map<String, String> headers(JsonParser parser, JsonToken value, String where)
      throws IOException, BadRequest {
    expect(value == JsonToken.START_OBJECT, where + ": 'headers' must be an object of strings");
    Map<String, String> headers = new HashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      expect(
          !name.equals(DELIVER_AT) && !name.equals(DELAY),
          where + ": give '" + name + "' as a field of the message, not a header");
      headers.put(name, scalar(parser, parser.nextToken(), where, "headers." + name));
    }
    return headers;
  }

  private static void expect(boolean condition, String problem) throws BadRequest {
    if (!condition) {
      throw new BadRequest(problem);
    }
  }
}
