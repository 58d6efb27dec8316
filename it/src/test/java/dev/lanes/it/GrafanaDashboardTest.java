package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lanes.runner.service.TaskService;
import dev.lanes.runner.service.TaskSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard in {@code deploy/grafana} cannot rot: every series and label its queries
 * use is in what a running task serves on {@code /metrics}. The task runs on Kafka (the shared test
 * broker), whose source registers every shared transport meter, owns partitions and binds the Kafka
 * clients' own metrics.
 */
class GrafanaDashboardTest {

  static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "lanes-dashboard.json");
  static final Pattern SERIES =
      Pattern.compile("\\b((?:messaging|lanes|jvm|process|kafka)_[a-z_]+)\\b");
  static final Pattern GROUPING = Pattern.compile("by \\(([^)]*)\\)");

  /** Labels Prometheus adds itself ({@code instance}) or histograms carry ({@code le}). */
  static final Set<String> NOT_FROM_LANES = Set.of("le", "instance");

  @TempDir Path dir;

  @Test
  void everySeriesAndLabelTheDashboardQueriesIsServed() throws Exception {
    List<String> queries = new ArrayList<>();
    for (JsonNode panel : new ObjectMapper().readTree(DASHBOARD.toFile()).get("panels")) {
      panel.get("targets").forEach(t -> queries.add(t.get("expr").asText()));
    }
    assertThat(queries).hasSizeGreaterThan(10);

    String metrics = scrapeARunningTask();

    Set<String> series = new TreeSet<>();
    Set<String> labels = new TreeSet<>();
    for (String query : queries) {
      Matcher s =
          SERIES.matcher(query.replaceAll("\\{[^}]*}", "").replaceAll("by \\([^)]*\\)", ""));
      while (s.find()) {
        series.add(s.group(1));
      }
      Matcher g = GROUPING.matcher(query);
      while (g.find()) {
        for (String label : g.group(1).split(",\\s*")) {
          labels.add(label.strip());
        }
      }
    }
    labels.removeAll(NOT_FROM_LANES);
    assertThat(series)
        .contains(
            "lanes_backlog",
            "messaging_process_duration_seconds_bucket",
            "lanes_transport_reconnects_total",
            "lanes_transport_published_total",
            "lanes_source_partitions_owned",
            "kafka_consumer_fetch_manager_records_lag_max");
    for (String name : series) {
      assertThat(metrics).as("/metrics serves %s", name).containsPattern("(?m)^" + name + "[{ ]");
    }
    for (String label : labels) {
      assertThat(metrics).as("/metrics has label %s", label).contains(label + "=\"");
    }
  }

  private String scrapeARunningTask() throws Exception {
    Path tasks = dir.resolve("tasks.conf");
    Files.writeString(
        tasks,
        """
        dashboard {
          transport = kafka
          kafka { bootstrap = "127.0.0.1:9092", topic = "dashboard-%1$s", group = "dashboard-%1$s" }
          handler = dev.lanes.samples.OrderEventsHandler
          deliverBy = order_id
          consumerNum = 2
          http { port = 0, publish.enabled = true }
          seed { generator = dev.lanes.samples.SampleOrders, count = 20, orders = 4 }
        }
        """
            .formatted(UUID.randomUUID()));
    try (TaskService service =
        TaskService.start(
            new TaskSource(tasks.toFile(), "dashboard", null),
            GrafanaDashboardTest.class.getClassLoader())) {
      String base = "http://" + service.httpAddress().orElseThrow();
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> published =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/tasks/dashboard/messages"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString("{\"content\": {\"not\": \"an order\"}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(published.statusCode()).as(published.body()).isEqualTo(201);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  service.runtime().stats().acked() == 20
                      && service.runtime().stats().rejected() == 1);
      // GC pause timers appear with the first collection; a long-running service has had one
      System.gc();
      HttpRequest scrape = HttpRequest.newBuilder(URI.create(base + "/metrics")).build();
      String[] metrics = {""};
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                metrics[0] = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
                return metrics[0].contains("jvm_gc_pause_seconds_sum");
              });
      service.stop();
      return metrics[0];
    }
  }
}
