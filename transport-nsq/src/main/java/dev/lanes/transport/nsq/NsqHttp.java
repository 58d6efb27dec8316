package dev.lanes.transport.nsq;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GETs JSON from the HTTP APIs of nsqd and nsqlookupd, on the calling thread, with a timeout.
 * Answers are read into plain maps, lists, strings, numbers and booleans. Thread-safe.
 */
final class NsqHttp {

  private static final JsonFactory JSON = new JsonFactory();

  private final int timeoutMillis;
  private final NsqTls tls;

  /** Plain HTTP, as nsqlookupd speaks. */
  NsqHttp(Duration timeout) {
    this(timeout, NsqTls.DISABLED);
  }

  /** HTTPS with {@code tls}'s trust when it is enabled (nsqd's {@code --https-address}). */
  NsqHttp(Duration timeout, NsqTls tls) {
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    this.tls = tls;
  }

  /** One answer: the status code and, for a 200, the parsed JSON body ({@code null} when empty). */
  record Answer(int status, Object body) {}

  /**
   * GETs {@code http://<address><path>?<query>} ({@code https://} when TLS is enabled).
   *
   * @param query parameter names and values, URL-encoded here
   * @throws IOException when the server cannot be reached or answers 200 with something not JSON
   */
  Answer get(String address, String path, Map<String, String> query) throws IOException {
    StringBuilder url =
        new StringBuilder(tls.httpScheme()).append("://").append(address).append(path);
    char sep = '?';
    for (Map.Entry<String, String> param : query.entrySet()) {
      url.append(sep)
          .append(param.getKey())
          .append('=')
          .append(URLEncoder.encode(param.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    HttpURLConnection http =
        (HttpURLConnection) URI.create(url.toString()).toURL().openConnection();
    tls.applyTo(http);
    http.setConnectTimeout(timeoutMillis);
    http.setReadTimeout(timeoutMillis);
    http.setRequestProperty("Accept", "application/json");
    try {
      int status = http.getResponseCode();
      if (status != 200) {
        return new Answer(status, null); // error bodies vary by version; the status says enough
      }
      try (InputStream in = http.getInputStream()) {
        byte[] bytes = in.readAllBytes();
        return new Answer(status, bytes.length == 0 ? null : parse(bytes));
      }
    } finally {
      http.disconnect();
    }
  }

  /** Parses a JSON document into maps, lists and scalars. */
  static Object parse(byte[] json) throws IOException {
    try (JsonParser p = JSON.createParser(json)) {
      return value(p, p.nextToken());
    }
  }

  private static Object value(JsonParser p, JsonToken token) throws IOException {
    if (token == null) {
      throw new IOException("unexpected end of JSON");
    }
    switch (token) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          map.put(name, value(p, p.nextToken()));
        }
        return map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        JsonToken next;
        while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
          list.add(value(p, next));
        }
        return list;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT -> {
        return p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDoubleValue();
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return p.getBooleanValue();
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IOException("unexpected JSON token " + token);
    }
  }

  /** {@code object.get(name)} when {@code object} is a map, else {@code null}. */
  static Object field(Object object, String name) {
    return object instanceof Map<?, ?> map ? map.get(name) : null;
  }

  /** {@code object.get(name)} as a list; empty when absent or not a list. */
  static List<?> list(Object object, String name) {
    return field(object, name) instanceof List<?> list ? list : List.of();
  }

  /** {@code object.get(name)} as a long; 0 when absent or not a number. */
  static long number(Object object, String name) {
    return field(object, name) instanceof Number n ? n.longValue() : 0;
  }
}
