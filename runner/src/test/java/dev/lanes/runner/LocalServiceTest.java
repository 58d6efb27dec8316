package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lanes.runner.ServiceHarness.Result;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default end to end: messages published over the runner's HTTP API and with {@code
 * runner publish} land in the local queue, are handled in order per key, delayed ones not early,
 * bad requests store nothing, and a restart mid-stream loses nothing.
 */
class LocalServiceTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int ORDERS = 30;
  private static final int PER_ORDER = 100;

  @TempDir Path dir;

  private ServiceHarness service;

  @AfterEach
  void cleanUp() {
    if (service != null) {
      service.close();
    }
  }

  private String conf(Path record, String extra) {
    return """
        system {
          transport = local, deliverBy = order_id
          # publishing on loopback only, so no token (docs/operations.md)
          http { port = 0, publish.enabled = true }
        }
        orders {
          handler = dev.lanes.runner.ScriptedHandler
          consumerNum = 8
          channelLength = 16
          script.work = 6ms
          record.file = "%s"
          local.dataDir = "%s"
          %s
        }
        """
        .formatted(record, dir.resolve("data"), extra);
  }

  @Test
  void httpPublishingFeedsTheServiceAndARestartMidStreamLosesNothing() throws Exception {
    Path record = dir.resolve("handled.jsonl");
    service = new ServiceHarness(dir, "orders");
    service.writeConf(conf(record, ""));
    Result start = service.command("start");
    assertThat(start.code()).as(start + service.diagnostics()).isZero();
    String http = ServiceHarness.fact(start.out(), "http");
    String endpoint = "http://" + http + "/tasks/orders/messages";

    assertRefused(post(endpoint, "{\"key\":\"k\"}"), 400, "'content' is required");
    assertRefused(
        post(endpoint, "[{\"content\":{\"data\":{\"order_id\":1,\"seq\":0}}}, {\"contents\":1}]"),
        400,
        "unknown field 'contents'");
    assertRefused(
        post(endpoint, "{\"content\":\"x\",\"deliverAt\":\"tomorrow\"}"), 400, "deliverAt");
    assertRefused(post(endpoint, "{\"content\":"), 400, "malformed JSON");
    assertRefused(
        post("http://" + http + "/tasks/payments/messages", "{\"content\":1}"),
        404,
        "runs 'orders'");
    assertThat(
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(endpoint)).GET().build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(405);

    HttpResponse<String> single = post(endpoint, event(ORDERS, 1, ", \"key\": \"" + ORDERS + "\""));
    assertThat(single.statusCode()).as(single.body()).isEqualTo(201);
    assertThat(JSON.readTree(single.body()).get("id").asText()).isNotBlank();
    for (int seq = 1; seq <= PER_ORDER; seq += 20) {
      List<String> batch = new ArrayList<>();
      for (int s = seq; s < seq + 20; s++) {
        for (int order = 0; order < ORDERS; order++) {
          batch.add(event(order, s, ""));
        }
      }
      HttpResponse<String> response = post(endpoint, "[" + String.join(",", batch) + "]");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
      assertThat(JSON.readTree(response.body()).get("ids")).hasSize(batch.size());
    }
    long delayedPostedAt = System.nanoTime();
    assertThat(post(endpoint, event(ORDERS + 1, 1, ", \"delay\": \"2s\"")).statusCode())
        .isEqualTo(201);

    await().atMost(Duration.ofSeconds(60)).until(() -> service.number("acked") >= 600);
    Result restart = service.command("restart");
    assertThat(restart.code()).as(restart + service.diagnostics()).isZero();
    assertThat(handled(record).size())
        .as("the restart came mid-stream")
        .isLessThan(ORDERS * PER_ORDER);

    int expected = ORDERS * PER_ORDER + 2;
    await().atMost(Duration.ofSeconds(90)).until(() -> handled(record).size() >= expected);
    long delayedSeenAfter = Duration.ofNanos(System.nanoTime() - delayedPostedAt).toMillis();
    assertThat(service.command("stop").code()).isZero();

    List<JsonNode> lines = handled(record);
    Set<String> distinct = new HashSet<>();
    Map<Long, List<Long>> seqs = new HashMap<>();
    for (JsonNode line : lines) {
      distinct.add(line.get("order").asLong() + "/" + line.get("seq").asLong());
      seqs.computeIfAbsent(line.get("order").asLong(), k -> new ArrayList<>())
          .add(line.get("seq").asLong());
    }
    assertThat(distinct)
        .as("every accepted message handled, none of the refused ones")
        .hasSize(expected);
    assertThat(lines).as("nothing handled twice across the restart").hasSize(expected);
    seqs.forEach((order, list) -> assertThat(list).as("order %s", order).isSorted());
    assertThat(delayedSeenAfter)
        .as("the delayed message is not handled before its delay")
        .isGreaterThanOrEqualTo(2000);
  }

  @Test
  void publishCommandStoresEveryLineOrNothing() throws Exception {
    Path record = dir.resolve("handled.jsonl");
    Path tasks = dir.resolve("tasks.conf");
    Files.writeString(tasks, conf(record, "exitWhenIdle = 1s"));

    Result bad =
        withStdin(
            event(1, 1, "") + "\n" + event(1, 2, "") + "\n{\"content\": 3, \"color\": 1}\n",
            () -> ServiceHarness.run("publish", "--task", "orders", "--config", tasks.toString()));
    assertThat(bad.code()).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(bad.err())
        .contains("line 3: unknown field 'color'")
        .contains("nothing was published");

    StringBuilder lines = new StringBuilder();
    for (int seq = 1; seq <= 20; seq++) {
      for (int order = 0; order < 5; order++) {
        lines.append(event(order, seq, "")).append('\n');
      }
    }
    Result good =
        withStdin(
            lines.toString(),
            () -> ServiceHarness.run("publish", "--task", "orders", "--config", tasks.toString()));
    assertThat(good.code()).as(good.toString()).isZero();
    assertThat(good.out().lines().toList()).hasSize(100).doesNotHaveDuplicates();
    assertThat(good.err()).contains("orders: published 100 messages to local");

    Result scheduledElsewhere =
        withStdin(
            event(9, 1, ""),
            () ->
                ServiceHarness.run(
                    "publish",
                    "--task",
                    "orders",
                    "--config",
                    tasks.toString(),
                    "--transport",
                    "memory",
                    "--at",
                    "2030-01-01T00:00:00Z"));
    assertThat(scheduledElsewhere.code()).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(scheduledElsewhere.err()).contains("deliverAt/delay need transport local");

    Result run =
        ServiceHarness.run("--task", "orders", "--config", tasks.toString(), "--progress", "off");
    assertThat(run.code()).as(run.toString()).isZero();
    assertThat(handled(record)).hasSize(100);
  }

  private static String event(int order, int seq, String extra) {
    return "{\"content\": {\"type\":\"order.updated\",\"data\":{\"order_id\":"
        + order
        + ",\"seq\":"
        + seq
        + "}}"
        + extra
        + "}";
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A local queue has one consumer at a time: a second runner process of the same queue exits 2
   * with one line naming the queue and the holder, publishing from another process goes on, and
   * once the first one stopped the next runner consumes.
   */
  @Test
  void aSecondRunnerOfTheSameLocalQueueIsRefusedWithOneLineWhilePublishingGoesOn()
      throws Exception {
    Path record = dir.resolve("handled.jsonl");
    service = new ServiceHarness(dir, "orders");
    service.writeConf(conf(record, ""));
    Result start = service.command("start");
    assertThat(start.code()).as(start + service.diagnostics()).isZero();
    long holder = service.pid();
    Path tasks = dir.resolve("tasks.conf");
    Files.writeString(tasks, conf(record, "exitWhenIdle = 1s"));

    Result second =
        ServiceHarness.run("--task", "orders", "--config", tasks.toString(), "--progress", "off");
    assertThat(second.code()).as(second.toString()).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(second.err().lines())
        .as(second.toString())
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("task 'orders': local queue 'orders' in " + dir.resolve("data"))
                    .contains("is consumed by pid " + holder + ", task 'orders', since ")
                    .contains("docs/scaling-out.md"));

    StringBuilder lines = new StringBuilder();
    for (int seq = 1; seq <= 10; seq++) {
      lines.append(event(1, seq, "")).append('\n');
    }
    Result published =
        withStdin(
            lines.toString(),
            () -> ServiceHarness.run("publish", "--task", "orders", "--config", tasks.toString()));
    assertThat(published.code()).as("publishing while the queue is consumed").isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> handled(record).size() == 10);
    assertThat(service.command("stop").code()).isZero();

    withStdin(
        event(1, 11, ""),
        () -> ServiceHarness.run("publish", "--task", "orders", "--config", tasks.toString()));
    Result next =
        ServiceHarness.run("--task", "orders", "--config", tasks.toString(), "--progress", "off");
    assertThat(next.code()).as("the next runner after the first stopped: " + next).isZero();
    assertThat(handled(record)).hasSize(11);
  }

  private static void assertRefused(HttpResponse<String> response, int status, String reason)
      throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(JSON.readTree(response.body()).get("error").asText()).contains(reason);
  }

  private static Result withStdin(String text, java.util.function.Supplier<Result> action) {
    InputStream original = System.in;
    System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    try {
      return action.get();
    } finally {
      System.setIn(original);
    }
  }

  private static List<JsonNode> handled(Path record) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    if (Files.exists(record)) {
      for (String line : Files.readAllLines(record)) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }
}
