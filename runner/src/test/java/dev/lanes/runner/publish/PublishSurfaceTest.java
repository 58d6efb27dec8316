package dev.lanes.runner.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.runner.service.TaskService;
import dev.lanes.runner.service.TaskSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP write path is closed unless a task file opens it: publishing is off by default, and when
 * on it takes only requests with the bearer token, within the size, count and rate limits.
 */
class PublishSurfaceTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String TOKEN = "s3cr3t-XYZ-0123456789";
  private static final String ONE = "{\"content\": {\"data\": {\"order_id\": 7, \"seq\": 1}}}";

  @TempDir Path dir;

  private TaskService service;

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
  }

  private String start(String http) throws Exception {
    Path file = dir.resolve("tasks.conf");
    Files.writeString(
        file,
        """
        system { transport = local, deliverBy = order_id, http { port = 0, %s } }
        orders {
          handler = dev.lanes.samples.OrderEventsHandler
          local.dataDir = "%s"
        }
        """
            .formatted(http, dir.resolve("data")));
    service =
        TaskService.start(
            new TaskSource(file.toFile(), "orders", null), getClass().getClassLoader());
    String address = service.httpAddress().orElseThrow();
    return "http://127.0.0.1:" + address.substring(address.lastIndexOf(':') + 1);
  }

  private static HttpResponse<String> post(String url, String body, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void publishingIsOffByDefaultAndStoresNothing() throws Exception {
    String base = start("host = \"127.0.0.1\"");

    HttpResponse<String> response = post(base + "/tasks/orders/messages", ONE);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
    assertThat(response.body()).contains("http.publish.enabled");
    assertThat(service.runtime().stats().received()).isZero();
    HttpResponse<String> metrics =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).as("metrics stay served").isEqualTo(200);
  }

  @Test
  void withATokenRequestsWithoutOneGet401AndAWrongOne403() throws Exception {
    String url =
        start("host = \"0.0.0.0\", publish { enabled = true, token = \"" + TOKEN + "\" }")
            + "/tasks/orders/messages";

    HttpResponse<String> none = post(url, ONE);
    assertThat(none.statusCode()).as(none.body()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"lanes\"");
    assertThat(post(url, ONE, "Authorization", "Basic " + TOKEN).statusCode())
        .as("another scheme")
        .isEqualTo(401);
    assertThat(post(url, ONE, "Authorization", "Bearer").statusCode()).isEqualTo(401);
    HttpResponse<String> wrong = post(url, ONE, "Authorization", "Bearer " + TOKEN + "x");
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(post(url.replace("orders", "payments"), ONE).statusCode())
        .as("no task name leaks to a caller without the token")
        .isEqualTo(401);
    assertThat(service.runtime().stats().received()).isZero();

    HttpResponse<String> right = post(url, ONE, "Authorization", "Bearer " + TOKEN);
    assertThat(right.statusCode()).as(right.body()).isEqualTo(201);
    assertThat(none.body() + wrong.body() + right.body()).doesNotContain(TOKEN);
  }

  @Test
  void publishedMessagesAreCountedAsTheSharedTransportMeterOfTheTask() throws Exception {
    String base = start("host = \"127.0.0.1\", publish { enabled = true }");

    for (int i = 0; i < 3; i++) {
      assertThat(post(base + "/tasks/orders/messages", ONE).statusCode()).isEqualTo(201);
    }

    String metrics =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .containsPattern(
            "lanes_transport_published_total\\{[^}]*lanes_task=\"orders\"[^}]*\\} 3\\.0")
        .containsPattern(
            "lanes_transport_publish_failures_total\\{[^}]*lanes_task=\"orders\"[^}]*\\} 0\\.0");
  }

  @Test
  void aListenerOfItsOwnOnLoopbackTakesPublishingOffTheMainServer() throws Exception {
    String base = start("host = \"0.0.0.0\", publish { enabled = true, port = 0 }");
    String own = service.publishAddress().orElseThrow();
    assertThat(own).startsWith("127.0.0.1:").isNotEqualTo(base.substring("http://".length()));

    HttpResponse<String> main = post(base + "/tasks/orders/messages", ONE);
    assertThat(main.statusCode()).isEqualTo(404);
    assertThat(main.body()).contains("publishing listens on " + own + " only");
    HttpResponse<String> published = post("http://" + own + "/tasks/orders/messages", ONE);
    assertThat(published.statusCode()).as(published.body()).isEqualTo(201);
    assertThat(service.status()).contains("publish: " + own);
  }

  @Test
  void refusesTooLargeBodiesAndTooManyMessagesWith413() throws Exception {
    String url =
        start("host = \"127.0.0.1\", publish { enabled = true, maxBody = 1KiB, maxMessages = 3 }")
            + "/tasks/orders/messages";

    HttpResponse<String> big = post(url, "{\"content\": \"" + "x".repeat(2000) + "\"}");
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(big.body()).contains("http.publish.maxBody");
    HttpResponse<String> chunked =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () ->
                            new java.io.ByteArrayInputStream(
                                ("{\"content\": \"" + "x".repeat(2000) + "\"}").getBytes())))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).as("no Content-Length: read up to maxBody").isEqualTo(413);
    HttpResponse<String> many = post(url, "[" + String.join(",", ONE, ONE, ONE, ONE) + "]");
    assertThat(many.statusCode()).isEqualTo(413);
    assertThat(many.body()).contains("4 messages", "at most 3", "http.publish.maxMessages");
    assertThat(post(url, "[" + String.join(",", ONE, ONE, ONE) + "]").statusCode()).isEqualTo(201);
  }

  @Test
  void overTheRateAnswers429WithRetryAfterAndStoresNothing() throws Exception {
    String url =
        start(
                "host = \"127.0.0.1\", publish { enabled = true, maxMessages = 5,"
                    + " rateLimit = 0.5, burst = 5 }")
            + "/tasks/orders/messages";
    String five = "[" + String.join(",", ONE, ONE, ONE, ONE, ONE) + "]";

    assertThat(post(url, five).statusCode()).isEqualTo(201);
    HttpResponse<String> over = post(url, ONE);
    assertThat(over.statusCode()).as(over.body()).isEqualTo(429);
    assertThat(over.headers().firstValue("Retry-After").map(Long::parseLong))
        .hasValueSatisfying(s -> assertThat(s).isBetween(1L, 2L));
    assertThat(over.body()).contains("http.publish.rateLimit");
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> service.runtime().stats().received() >= 5);
    assertThat(service.runtime().stats().received())
        .as("the refused one was not stored")
        .isEqualTo(5);
  }

  @Test
  void takesTheTokenFromAFileAndRefusesToStartWhenTheFileIsMissing() throws Exception {
    Path file = dir.resolve("publish-token");
    String http = "host = \"0.0.0.0\", publish { enabled = true, tokenFile = \"" + file + "\" }";
    assertThatThrownBy(() -> start(http))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("http.publish.tokenFile: expected a readable file holding the token");

    Files.writeString(file, TOKEN + "\n");
    String url = start(http) + "/tasks/orders/messages";
    assertThat(post(url, ONE).statusCode()).isEqualTo(401);
    assertThat(post(url, ONE, "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(201);
  }
}
