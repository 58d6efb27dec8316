package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A proxy of the toxiproxy-server that {@code scripts/brokers.sh start toxiproxy} runs (API on
 * 127.0.0.1:8474), in front of the shared nsqd, driven through its HTTP API. {@link #disable()}
 * closes every connection through it and refuses new ones, as a cut network would; {@link
 * #enable()} lets connections through again. Close it to delete it.
 */
final class Toxiproxy implements AutoCloseable {

  private static final String API = "http://127.0.0.1:8474";
  private static final Pattern LISTEN = Pattern.compile("\"listen\"\\s*:\\s*\"([^\"]+)\"");

  /** The proxy's own address ({@code host:port}): connect here to reach the upstream. */
  final String listen;

  private final String name;

  /** A proxy on a free loopback port to {@code upstream} ({@code host:port}). */
  Toxiproxy(String scenario, String upstream) throws IOException {
    this.name = scenario + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 20);
    String created =
        call(
            "POST",
            "/proxies",
            "{\"name\":\""
                + name
                + "\",\"listen\":\"127.0.0.1:0\",\"upstream\":\""
                + upstream
                + "\",\"enabled\":true}");
    Matcher m = LISTEN.matcher(created);
    if (!m.find()) {
      fail("toxiproxy answered no listen address: " + created);
    }
    this.listen = m.group(1);
  }

  void disable() throws IOException {
    call("POST", "/proxies/" + name, "{\"enabled\":false}");
  }

  void enable() throws IOException {
    call("POST", "/proxies/" + name, "{\"enabled\":true}");
  }

  @Override
  public void close() throws IOException {
    call("DELETE", "/proxies/" + name, null);
  }

  private static String call(String method, String path, String json) throws IOException {
    HttpURLConnection http;
    try {
      http = (HttpURLConnection) URI.create(API + path).toURL().openConnection();
      http.setRequestMethod(method);
      http.setConnectTimeout(2000);
      http.setReadTimeout(5000);
      if (json != null) {
        http.setDoOutput(true);
        http.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = http.getOutputStream()) {
          out.write(json.getBytes(StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      return fail(
          "toxiproxy is not running at "
              + API
              + " ("
              + e
              + "); start it with"
              + " scripts/brokers.sh start toxiproxy");
    }
    int status = http.getResponseCode();
    InputStream body = status < 400 ? http.getInputStream() : http.getErrorStream();
    String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
    http.disconnect();
    if (status >= 300) {
      throw new IOException(method + " " + path + " answered HTTP " + status + ": " + text);
    }
    return text;
  }
}
