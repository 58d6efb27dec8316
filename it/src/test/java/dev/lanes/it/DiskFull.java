package dev.lanes.it;

import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * A full disk under the local queue, for real: the task's data directory is a small tmpfs (mounted
 * as root; the run fails, never skips, when it cannot be mounted), the keyed data set is stored,
 * the runner consumes it, and mid-stream a filler file takes every free byte. While the disk is
 * full, {@code runner publish} and {@code POST /tasks/orders/messages} are tried once each; then
 * the filler is deleted, both are tried again, and the run finishes.
 */
final class DiskFull {

  static final String FAULT = "disk full";

  private static final int KEYS = 40;
  private static final int PER_KEY = 50;
  private static final int LANES = 4;
  private static final int CHANNEL_LENGTH = 16;
  private static final String CLI_LATE = "{\"data\":{\"late\":\"cli\"}}";
  private static final String HTTP_LATE = "{\"data\":{\"late\":\"http\"}}";
  private static final Pattern HTTP_ADDRESS = Pattern.compile("http on (127\\.0\\.0\\.1:\\d+)");

  private DiskFull() {}

  /**
   * What happened: the fault record of the data set, what each way of publishing answered while the
   * disk was full and after, and how many events were handled while it was full.
   */
  record Result(
      FaultRecord record,
      int cliExitWhileFull,
      String cliOutputWhileFull,
      int httpStatusWhileFull,
      String httpBodyWhileFull,
      int cliExitAfter,
      int httpStatusAfter,
      long handledWhileFull,
      long lateHandled,
      long refusedHandled,
      String runnerOutput) {

    ReliabilityTable.Cell cell() {
      return new ReliabilityTable.Cell(
          FAULT,
          "local",
          ("publish refused (runner publish exit %d, HTTP %d), %d handled meanwhile; after freeing"
                  + " space: publish ok, %s")
              .formatted(
                  cliExitWhileFull, httpStatusWhileFull, handledWhileFull, record.cell().text()));
    }
  }

  static Result run(Path dir) throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    mount(data);
    try {
      return runMounted(dir, data);
    } finally {
      unmount(data);
    }
  }

  private static Result runMounted(Path dir, Path data) throws Exception {
    BrokerTarget target = BrokerTargets.of("local", dir);
    String queue = "diskfull";
    target.publishMany(queue, Recorded.orderEvents(KEYS, PER_KEY));
    Path record = dir.resolve("handled.jsonl");
    Path tasks = dir.resolve("diskfull.conf");
    Files.writeString(
        tasks,
        """
        orders {
          transport = local
          consumerNum = %d
          channelLength = %d
          deliverBy = order_id
          handler = dev.lanes.samples.RecordingHandler
          record { file = "%s", delay = 20ms }
          http { port = 0, publish.enabled = true }
          %s
          %s
        }
        """
            .formatted(
                LANES,
                CHANNEL_LENGTH,
                record,
                target.destination(queue),
                target.quickRedelivery()));
    int total = KEYS * PER_KEY;
    try (RunnerProcess runner =
        RunnerProcess.startNamed(
            dir, "runner", null, "--task", "orders", "--config", tasks.toString())) {
      await()
          .atMost(Duration.ofSeconds(60))
          .failFast(
              () -> {
                if (!runner.isAlive()) {
                  throw new AssertionError("runner exited:\n" + runner.output());
                }
              })
          .until(() -> Recorded.count(record) >= total * 3 / 10);
      String http = httpAddress(runner);

      Path filler = fill(data);
      long handledAtFull = Recorded.count(record);
      // 5 MB in one go: more than SQLite's write-ahead log can hold without growing
      Publish cliFull = publishWithCli(dir, tasks, big());
      Publish httpFull = publishOverHttp(http, big());
      TimeUnit.SECONDS.sleep(3); // the runner works on a full disk for a while
      long handledWhileFull = Recorded.count(record) - handledAtFull;
      assertThat(runner.isAlive()).as("runner alive on a full disk:%n%s", runner.output()).isTrue();

      Files.delete(filler);
      long freed = System.nanoTime();
      // recovered once more events are handled than the runner can have held through the fault
      long recoveredAt =
          distinct(record)
              + target.redeliveryBound(LANES, CHANNEL_LENGTH, 0)
              + LANES * CHANNEL_LENGTH;
      long recovery = FaultRecord.FINISHED_DURING_FAULT;
      if (recoveredAt < total) {
        await()
            .atMost(Duration.ofSeconds(60))
            .failFast(
                () -> {
                  if (!runner.isAlive()) {
                    throw new AssertionError("runner exited:\n" + runner.output());
                  }
                })
            .until(() -> distinct(record) >= recoveredAt);
        recovery = Duration.ofNanos(System.nanoTime() - freed).toMillis();
      }
      Publish cliAfter = publishWithCli(dir, tasks, List.of(CLI_LATE));
      Publish httpAfter = publishOverHttp(http, List.of(HTTP_LATE));
      await()
          .atMost(Duration.ofSeconds(60))
          .failFast(
              () -> {
                if (!runner.isAlive()) {
                  throw new AssertionError("runner exited:\n" + runner.output());
                }
              })
          .until(() -> distinct(record) >= total && late(record) >= 2);
      runner.terminate(Duration.ofSeconds(30));
      Files.writeString(Path.of("target", "diskfull-runner-output.txt"), runner.output());
      FaultRecord fault =
          FaultRecord.of(
              "local",
              FAULT,
              Recorded.handledOrderEvents(record),
              KEYS,
              PER_KEY,
              target.redeliveryBound(LANES, CHANNEL_LENGTH, 0),
              recovery);
      return new Result(
          fault,
          cliFull.status(),
          cliFull.output(),
          httpFull.status(),
          httpFull.output(),
          cliAfter.status(),
          httpAfter.status(),
          handledWhileFull,
          late(record),
          Recorded.attempts(record).stream().filter(a -> a.payload().contains("\"big\":")).count(),
          runner.output());
    }
  }

  private static long distinct(Path record) {
    return Recorded.handledOrderEvents(record).stream()
        .map(h -> h.order() + "/" + h.seq())
        .distinct()
        .count();
  }

  private static long late(Path record) {
    return Recorded.attempts(record).stream()
        .filter(a -> !a.failed() && (a.payload().equals(CLI_LATE) || a.payload().equals(HTTP_LATE)))
        .count();
  }

  /** A status (exit code or HTTP status) and what came with it. */
  record Publish(int status, String output) {}

  /** 50 messages of 100 KB, none of them an order event. */
  private static List<String> big() {
    String pad = "x".repeat(100_000);
    return IntStream.range(0, 50)
        .mapToObj(i -> "{\"data\":{\"big\":" + i + ",\"pad\":\"" + pad + "\"}}")
        .toList();
  }

  private static Publish publishWithCli(Path dir, Path tasks, List<String> payloads)
      throws Exception {
    Path input = dir.resolve("late.jsonl");
    Files.write(input, payloads.stream().map(p -> "{\"content\": " + p + "}").toList());
    try (RunnerProcess publish =
        RunnerProcess.startNamed(
            dir,
            "publish-late",
            input,
            "publish",
            "--task",
            "orders",
            "--config",
            tasks.toString())) {
      int exit = publish.waitFor(Duration.ofSeconds(60));
      return new Publish(exit, publish.output());
    }
  }

  private static Publish publishOverHttp(String address, List<String> payloads) throws Exception {
    String body =
        payloads.stream().map(p -> "{\"content\": " + p + "}").collect(joining(",", "[", "]"));
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://" + address + "/tasks/orders/messages"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return new Publish(response.statusCode(), response.body());
  }

  private static String httpAddress(RunnerProcess runner) {
    Matcher m = HTTP_ADDRESS.matcher(runner.output());
    assertThat(m.find()).as("the runner's HTTP address in:%n%s", runner.output()).isTrue();
    return m.group(1);
  }

  /** Writes a file into {@code dir} until the file system has no byte left. */
  private static Path fill(Path dir) throws IOException {
    Path filler = dir.resolve("filler");
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(chunk);
      }
    } catch (IOException full) {
      // no space left: what we wanted
    }
    assertThat(Files.getFileStore(dir).getUsableSpace()).as("free bytes after filling").isZero();
    return filler;
  }

  private static void mount(Path dir) throws Exception {
    Process mount =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(mount.getInputStream().readAllBytes());
    if (!mount.waitFor(30, TimeUnit.SECONDS) || mount.exitValue() != 0) {
      throw new AssertionError(
          "the disk-full test needs a real small file system: `mount -t tmpfs -o size=8m tmpfs "
              + dir
              + "` failed (it must run as root, or with CAP_SYS_ADMIN in a container): "
              + output);
    }
  }

  private static void unmount(Path dir) throws Exception {
    Process umount = new ProcessBuilder("umount", dir.toString()).redirectErrorStream(true).start();
    String output = new String(umount.getInputStream().readAllBytes());
    if (!umount.waitFor(30, TimeUnit.SECONDS) || umount.exitValue() != 0) {
      throw new AssertionError("umount " + dir + " failed: " + output);
    }
  }
}
