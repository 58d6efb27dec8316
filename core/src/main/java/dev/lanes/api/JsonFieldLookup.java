package dev.lanes.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Optional;

/** Streaming lookup of one scalar JSON field; stops reading as soon as the field is found. */
final class JsonFieldLookup {

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final String NESTED_UNDER = "data";

  private JsonFieldLookup() {}

  static Optional<Object> find(byte[] json, String dottedPath) {
    String[] path = dottedPath.split("\\.");
    Object top = findAt(json, path);
    if (top != null) {
      return Optional.of(top);
    }
    String[] nested = new String[path.length + 1];
    nested[0] = NESTED_UNDER;
    System.arraycopy(path, 0, nested, 1, path.length);
    return Optional.ofNullable(findAt(json, nested));
  }

  private static Object findAt(byte[] json, String[] path) {
    try (JsonParser parser = FACTORY.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      return descend(parser, path, 0);
    } catch (IOException malformed) {
      return null;
    }
  }

  /** Parser is positioned on START_OBJECT; searches its fields for path[depth]. */
  private static Object descend(JsonParser parser, String[] path, int depth) throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      boolean match = path[depth].equals(parser.currentName());
      JsonToken value = parser.nextToken();
      if (!match) {
        parser.skipChildren();
      } else if (depth == path.length - 1) {
        return scalar(parser, value);
      } else if (value == JsonToken.START_OBJECT) {
        return descend(parser, path, depth + 1);
      } else {
        return null;
      }
    }
    return null;
  }

  private static Object scalar(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_NUMBER_INT ->
          parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
              ? parser.getText()
              : parser.getLongValue();
      case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
      case VALUE_STRING -> parser.getText();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      default -> null;
    };
  }
}
