package dev.lanes.runner.publish;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.SectionReader;
import dev.lanes.spi.TaskConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code http.publish.*}: whether {@code POST /tasks/{task}/messages} is served, who may call it
 * and how much it takes. Read and validated eagerly: an open write path — enabled, no token, and
 * reachable from other machines — is refused with a {@link ReadyFailedException} naming the keys.
 * {@link #toString()} never shows the token.
 *
 * @param enabled whether the route publishes at all (false: it answers 404)
 * @param token the bearer token of {@code http.publish.token}; see {@link #bearerToken}
 * @param tokenFile the file of {@code http.publish.tokenFile}, read only when publishing opens (so
 *     {@code runner check} needs no secret on its machine)
 * @param port -1 = on the main HTTP server; otherwise a listener of its own on 127.0.0.1 (0 = any
 *     free port)
 * @param maxBody the largest request body in bytes
 * @param maxMessages the most messages one request may hold
 * @param rateLimit messages per second the route accepts for the task; 0 = no limit
 * @param burst messages accepted at once above the rate, >= maxMessages
 */
public record PublishSettings(
    boolean enabled,
    Optional<BearerToken> token,
    Optional<Path> tokenFile,
    int port,
    int maxBody,
    int maxMessages,
    double rateLimit,
    long burst) {

  /** The environment variable the reference config reads {@code http.publish.token} from. */
  public static final String TOKEN_ENV = "LANES_PUBLISH_TOKEN";

  static final int MIN_TOKEN_LENGTH = 16;
  private static final String P = "http.publish.";

  /** Whether requests must present a bearer token ({@code token} or {@code tokenFile} is set). */
  public boolean requiresToken() {
    return token.isPresent() || tokenFile.isPresent();
  }

  /**
   * The token every request must present, reading {@code tokenFile} if that is where it is; empty =
   * none required (only allowed when publishing listens on loopback alone).
   *
   * @throws ReadyFailedException when the file cannot be read or holds no valid token; the message
   *     never shows what the file holds
   */
  public Optional<BearerToken> bearerToken(TaskConfig task) {
    if (tokenFile.isEmpty()) {
      return token;
    }
    String text;
    try {
      text = Files.readString(tokenFile.get(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw task.invalid(
          P + "tokenFile",
          "a readable file holding the token",
          new IOException("cannot read " + tokenFile.get() + ": " + e.getClass().getSimpleName()));
    }
    return Optional.of(validToken(task, "tokenFile", text));
  }

  /** Whether publishing listens on a loopback-only listener of its own. */
  public boolean ownListener() {
    return port >= 0;
  }

  /**
   * Reads {@code http.publish.*} of {@code task}.
   *
   * @param httpHost the main server's {@code http.host}, to tell whether it is loopback-only
   */
  public static PublishSettings of(TaskConfig task, String httpHost) {
    SectionReader publish = SectionReader.of(task, "http.publish");
    boolean enabled = publish.bool("enabled");
    int port = publish.get("port", "-1 or a port number in [0, 65535]", c -> c.getInt("port"));
    if (port < -1 || port > 65535) {
      throw publish.invalid("port", "-1 (the main server) or a port number in [0, 65535]", port);
    }
    long maxBody = publish.get("maxBody", "a size such as 16MiB", c -> c.getBytes("maxBody"));
    if (maxBody < 1 || maxBody > Integer.MAX_VALUE - 1) {
      throw publish.invalid("maxBody", "a size in [1B, 2GiB)", maxBody);
    }
    int maxMessages =
        publish.get("maxMessages", "a message count >= 1", c -> c.getInt("maxMessages"));
    if (maxMessages < 1) {
      throw publish.invalid("maxMessages", "a message count >= 1", maxMessages);
    }
    double rateLimit =
        publish.get("rateLimit", "messages per second >= 0", c -> c.getDouble("rateLimit"));
    if (!(rateLimit >= 0) || Double.isInfinite(rateLimit)) {
      throw publish.invalid("rateLimit", "messages per second >= 0 (0 = no limit)", rateLimit);
    }
    long burst = publish.get("burst", "a message count", c -> c.getLong("burst"));
    if (rateLimit > 0 && burst < maxMessages) {
      throw publish.invalid(
          "burst",
          "at least http.publish.maxMessages ("
              + maxMessages
              + "), or a full request could never pass",
          burst);
    }
    String inline = publish.get("token", "a string", c -> c.getString("token"));
    Optional<Path> tokenFile = tokenFile(publish, inline);
    Optional<BearerToken> token =
        inline.isEmpty() ? Optional.empty() : Optional.of(validToken(task, "token", inline));
    if (enabled && token.isEmpty() && tokenFile.isEmpty() && port < 0 && !isLoopback(httpHost)) {
      throw new ReadyFailedException(
          task.origin()
              + ": task '"
              + task.name()
              + "': http.publish.enabled = true on http.host "
              + httpHost
              + ", which other machines can reach, needs http.publish.token (or tokenFile, or the"
              + " environment variable "
              + TOKEN_ENV
              + "), or http.publish.port for a listener of its own on 127.0.0.1");
    }
    return new PublishSettings(
        enabled, token, tokenFile, port, (int) maxBody, maxMessages, rateLimit, burst);
  }

  private static Optional<Path> tokenFile(SectionReader publish, String inline) {
    String file = publish.get("tokenFile", "a file path", c -> c.getString("tokenFile"));
    if (file.isEmpty()) {
      return Optional.empty();
    }
    if (!inline.isEmpty()) {
      throw publish.invalid(
          "tokenFile",
          "either http.publish.token (or " + TOKEN_ENV + ") or http.publish.tokenFile, not both");
    }
    try {
      return Optional.of(Path.of(file));
    } catch (InvalidPathException e) {
      throw publish.invalid("tokenFile", "a file path", e);
    }
  }

  private static BearerToken validToken(TaskConfig task, String key, String token) {
    if (token.length() < MIN_TOKEN_LENGTH || !token.chars().allMatch(ch -> ch > 32 && ch < 127)) {
      // never the value in this message: it is a secret
      throw task.invalid(
          P + key,
          "a token of at least "
              + MIN_TOKEN_LENGTH
              + " printable ASCII characters without spaces (e.g. openssl rand -hex 32)",
          null);
    }
    return new BearerToken(token);
  }

  private static boolean isLoopback(String host) {
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false; // binding fails later with its own message
    }
  }
}
