package dev.lanes.runner.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.runner.service.TaskService;
import dev.lanes.runner.service.TaskSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent HTTP publishes reach the transport at the same time, so the local queue can commit
 * them together (one fsync), instead of queueing behind one another in the runner.
 */
class ConcurrentPublishTest {

  private static final int CLIENTS = 8;

  @TempDir Path dir;

  private TaskService service;
  private URI messages;

  @BeforeEach
  void startTask() throws IOException {
    Path file = dir.resolve("tasks.conf");
    Files.writeString(
        file,
        """
        system { transport = local, deliverBy = order_id, http { port = 0, publish.enabled = true } }
        orders {
          handler = dev.lanes.samples.OrderEventsHandler
          local.dataDir = "%s"
        }
        """
            .formatted(dir.resolve("data")));
    service =
        TaskService.start(
            new TaskSource(file.toFile(), "orders", null), getClass().getClassLoader());
    messages =
        URI.create("http://" + service.httpAddress().orElseThrow() + "/tasks/orders/messages");
  }

  @AfterEach
  void stopTask() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void requestsWaitingForTheStorePublishTogether() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    try (Connection other =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/lanes-local.db"));
        Statement st = other.createStatement()) {
      st.execute("BEGIN IMMEDIATE"); // another process holds the store's write lock
      for (int i = 0; i < CLIENTS; i++) {
        HttpClient client = HttpClient.newHttpClient(); // a connection of its own
        String body = "{\"content\": {\"data\": {\"order_id\": " + i + ", \"seq\": 1}}}";
        responses.add(
            client.sendAsync(
                HttpRequest.newBuilder(messages)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(threadsPublishingToTheStore())
                      .as("request threads inside the local store's insert")
                      .isEqualTo(CLIENTS));
      st.execute("COMMIT");
    }
    Set<String> ids = new HashSet<>();
    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get().statusCode()).as(response.get().body()).isEqualTo(201);
      ids.add(response.get().body());
    }
    assertThat(ids).as("one stored id per request").hasSize(CLIENTS);
  }

  private static long threadsPublishingToTheStore() {
    return Thread.getAllStackTraces().values().stream()
        .filter(
            stack ->
                Arrays.stream(stack)
                    .anyMatch(
                        frame ->
                            frame.getClassName().endsWith(".LocalStore")
                                && frame.getMethodName().equals("insert")))
        .count();
  }
}
