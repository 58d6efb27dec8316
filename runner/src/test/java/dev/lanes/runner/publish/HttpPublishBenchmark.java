package dev.lanes.runner.publish;

import dev.lanes.runner.service.TaskService;
import dev.lanes.runner.service.TaskSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: HTTP publishing to the local queue with {@code clients} concurrent keep-alive clients
 * posting one message per request (issue 15, goal 3: ≥ 5,000 msg/s with 16 clients), while the task
 * consumes them with the samples' RecordingHandler. At the end, what was handled plus what is still
 * stored must cover every message answered 201. Run from the repository root after {@code mvn -pl
 * runner -am test-compile}:
 *
 * <pre>
 * mvn -q -pl runner dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp "runner/target/classes:runner/target/test-classes:$(cat /tmp/cp.txt)" \
 *   dev.lanes.runner.publish.HttpPublishBenchmark [clients] [seconds]
 * </pre>
 */
public final class HttpPublishBenchmark {

  private HttpPublishBenchmark() {}

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Path dir = Files.createTempDirectory("lanes-http-bench");
    Path file = dir.resolve("tasks.conf");
    Files.writeString(
        file,
        """
        system { transport = local, deliverBy = order_id, http { port = 0, publish.enabled = true } }
        orders {
          handler = dev.lanes.samples.RecordingHandler
          record.file = "%s"
          local.dataDir = "%s"
          local.queue = bench
        }
        """
            .formatted(dir.resolve("handled.jsonl"), dir.resolve("data")));
    TaskService service =
        TaskService.start(
            new TaskSource(file.toFile(), "orders", null),
            HttpPublishBenchmark.class.getClassLoader());
    URI uri =
        URI.create("http://" + service.httpAddress().orElseThrow() + "/tasks/orders/messages");
    AtomicLong created = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      running.add(
          pool.submit(
              () -> {
                HttpClient http = HttpClient.newHttpClient();
                for (long i = 0; System.nanoTime() < end; i++) {
                  String body =
                      "{\"content\":{\"data\":{\"order_id\":" + (client * 1_000_000L + i) + "}}}";
                  HttpResponse<String> response =
                      http.send(
                          HttpRequest.newBuilder(uri)
                              .POST(HttpRequest.BodyPublishers.ofString(body))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  (response.statusCode() == 201 ? created : failed).incrementAndGet();
                }
                return null;
              }));
    }
    for (Future<?> f : running) {
      f.get();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    service.close();
    long stored;
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/lanes-local.db"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM messages WHERE queue = 'bench'")) {
      rs.next();
      stored = rs.getLong(1);
    }
    long handled;
    try (var lines = Files.lines(dir.resolve("handled.jsonl"))) {
      handled = lines.count();
    }
    System.out.printf(
        "http publish, local queue, %d clients, 1 message per request: %.0f msg/s"
            + " (%d answered 201, %d failed; %d handled + %d still stored)%n",
        clients, created.get() / elapsed, created.get(), failed.get(), handled, stored);
    if (handled + stored < created.get()) {
      throw new IllegalStateException("messages answered 201 are missing");
    }
  }
}
