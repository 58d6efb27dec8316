package dev.lanes.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Publishing over HTTP to the local queue (issue 15, goal 3): the runner jar in a process of its
 * own (task {@code orders}, transport {@code local}, the samples' RecordingHandler) and, in this
 * process, {@code clients} keep-alive clients, each posting one message per request, for {@code
 * seconds}, while the runner consumes. Prints msg/s answered 201 for each client count, and checks
 * that every message answered 201 was then handled (its id in the record). Run with the runner jar
 * built ({@code scripts/bench.sh publish [seconds] [clients...]}); exits 1 when a request failed or
 * a published message was not handled within 60 s.
 */
public final class HttpPublishWorkload {

  private static final Pattern HTTP = Pattern.compile("http on (\\S+) ");

  private HttpPublishWorkload() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    List<Integer> clientCounts = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      clientCounts.add(Integer.parseInt(args[i]));
    }
    if (clientCounts.isEmpty()) {
      clientCounts = List.of(1, 16);
    }
    Path jar = Path.of("runner/target/lanes-runner.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: build the runner first");
    }
    boolean valid = true;
    for (int clients : clientCounts) {
      valid &= run(jar, clients, seconds);
    }
    if (!valid) {
      System.exit(1);
    }
  }

  private static boolean run(Path jar, int clients, int seconds) throws Exception {
    Path dir = Files.createTempDirectory("lanes-http-publish");
    Path record = dir.resolve("handled.jsonl");
    Path tasks = dir.resolve("tasks.conf");
    Files.writeString(
        tasks,
        """
        system { transport = local, deliverBy = order_id, http { port = 0, publish.enabled = true } }
        orders {
          handler = dev.lanes.samples.RecordingHandler
          record.file = "%s"
          local.dataDir = "%s"
        }
        """
            .formatted(record, dir.resolve("data")));
    Path output = dir.resolve("runner-output.txt");
    Process runner =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toAbsolutePath().toString(),
                "--transport=local",
                "--task",
                "orders",
                "--config",
                tasks.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    try {
      URI uri = URI.create("http://" + httpAddress(runner, output) + "/tasks/orders/messages");
      Set<String> ids = ConcurrentHashMap.newKeySet();
      AtomicLong failed = new AtomicLong();
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        running.add(pool.submit(() -> postUntil(uri, client, end, ids, failed)));
      }
      for (Future<?> f : running) {
        f.get();
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      pool.shutdown();
      Set<String> missing = new HashSet<>(ids);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!missing.isEmpty() && System.nanoTime() < deadline) {
        missing.removeAll(handledIds(record)); // the runner consumes what is left
        TimeUnit.MILLISECONDS.sleep(200);
      }
      runner.destroy(); // SIGTERM
      runner.waitFor(60, TimeUnit.SECONDS);
      System.out.printf(
          "http publish, local queue, %2d client(s), 1 message per request: %,8.0f msg/s"
              + " (%d answered 201, %d failed, %d of them not handled within 60 s)%n",
          clients, ids.size() / elapsed, ids.size(), failed.get(), missing.size());
      return failed.get() == 0 && missing.isEmpty();
    } finally {
      runner.destroyForcibly();
    }
  }

  /**
   * One client: blocking requests on one kept-alive connection ({@link HttpURLConnection} reuses it
   * once a response is read to its end). Not {@code java.net.http.HttpClient}: sixteen of those,
   * each with a selector thread of its own, cost this 2-core machine more than the server did and
   * capped the measured rate at the client (checked against ApacheBench {@code ab -k}).
   */
  private static Void postUntil(URI uri, int client, long end, Set<String> ids, AtomicLong failed)
      throws Exception {
    URL url = uri.toURL();
    Pattern idField = Pattern.compile("\"id\":\"([^\"]+)\"");
    for (long i = 0; System.nanoTime() < end; i++) {
      byte[] body =
          ("{\"content\":{\"data\":{\"order_id\":" + (client * 1_000_000_000L + i) + "}}}")
              .getBytes(StandardCharsets.UTF_8);
      HttpURLConnection post = (HttpURLConnection) url.openConnection();
      post.setRequestMethod("POST");
      post.setDoOutput(true);
      post.setFixedLengthStreamingMode(body.length);
      post.setRequestProperty("Content-Type", "application/json");
      try (OutputStream out = post.getOutputStream()) {
        out.write(body);
      }
      int status = post.getResponseCode();
      try (InputStream in = status < 400 ? post.getInputStream() : post.getErrorStream()) {
        String response = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (status == 201) {
          Matcher id = idField.matcher(response);
          ids.add(id.find() ? id.group(1) : response);
        } else {
          failed.incrementAndGet();
        }
      }
    }
    return null;
  }

  /** The runner's HTTP address, from its log line {@code http on HOST:PORT (...)}. */
  private static String httpAddress(Process runner, Path output) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline && runner.isAlive()) {
      if (Files.exists(output)) {
        Matcher m = HTTP.matcher(Files.readString(output));
        if (m.find()) {
          return m.group(1);
        }
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new IllegalStateException("the runner did not start; output:\n" + read(output));
  }

  private static Set<String> handledIds(Path record) throws IOException {
    Set<String> ids = new HashSet<>();
    if (!Files.exists(record)) {
      return ids;
    }
    Pattern id = Pattern.compile("\"id\":\"([^\"]+)\"");
    for (String line : Files.readAllLines(record)) {
      Matcher m = id.matcher(line);
      if (m.find()) {
        ids.add(m.group(1));
      }
    }
    return ids;
  }

  private static String read(Path output) throws IOException {
    return Files.exists(output) ? Files.readString(output) : "(no output)";
  }
}
