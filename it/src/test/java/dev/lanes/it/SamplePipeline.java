package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs tasks of {@code conf/samples.conf} on one transport with real runner processes in one
 * working directory, through a generated task file that includes the samples file unchanged and
 * only adds a random name suffix (destinations of their own) and how runs end.
 *
 * <p>Two ways to feed a task, by transport: where a subscriber must exist before the first publish
 * (memory, whose queue lives in the runner; amqp and nsq, where fan-out copies a message only to
 * the queues/channels that exist) the runners start first, messages are POSTed to a running
 * runner's {@code /tasks/{task}/messages}, and each runner is stopped (SIGTERM) once its metrics
 * count every expected message settled. Elsewhere (local, kafka, whose topic must exist before a
 * consumer starts) {@code runner publish} goes first and the runners end by themselves once idle
 * (exit 0).
 */
final class SamplePipeline {

  static final Path SAMPLES = Path.of("..", "conf", "samples.conf").toAbsolutePath().normalize();
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final Pattern HTTP = Pattern.compile("http on (\\S+) \\(");
  private static final Pattern SETTLED =
      Pattern.compile(
          "^messaging_process_duration_seconds_count\\{.*lanes_outcome=\"(ack|reject)\".*} (\\d+)",
          Pattern.MULTILINE);
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  final Path dir;
  final String transport;
  final Path conf;
  private final boolean consumersFirst;

  SamplePipeline(Path dir, String transport) throws IOException {
    this.dir = dir;
    this.transport = transport;
    this.consumersFirst = List.of("memory", "amqp", "nsq").contains(transport);
    this.conf = dir.resolve("samples-it.conf");
    Files.writeString(
        conf,
        """
        include file("%s")
        suffix = "-%s-%s"
        system.exitWhenIdle = %s
        """
            .formatted(
                SAMPLES,
                transport,
                Long.toHexString(ThreadLocalRandom.current().nextLong()),
                consumersFirst ? "0s" : "1s"));
  }

  /** A task's file (journal, record) in the working directory, where the samples put it. */
  Path file(String relative) {
    return dir.resolve(relative);
  }

  /**
   * Runs {@code tasks} (each with the number of messages it must settle: ack or dead-letter) until
   * done, after publishing {@code publish} (task to JSON lines in {@code runner publish} form) the
   * way this transport needs. Returns each task's runner output.
   */
  Map<String, String> run(Map<String, Integer> tasks, Map<String, List<String>> publish)
      throws Exception {
    Map<String, String> outputs = new LinkedHashMap<>();
    if (!consumersFirst) {
      for (Map.Entry<String, List<String>> p : publish.entrySet()) {
        publish(p.getKey(), p.getValue());
      }
    }
    Map<String, RunnerProcess> runners = new LinkedHashMap<>();
    try {
      for (String task : tasks.keySet()) {
        runners.put(
            task,
            RunnerProcess.startNamed(
                dir,
                task,
                null,
                "--config",
                conf.toString(),
                "--transport=" + transport,
                "--task",
                task,
                "--progress",
                "off"));
      }
      if (consumersFirst) {
        Map<String, String> http = new LinkedHashMap<>();
        for (String task : tasks.keySet()) {
          http.put(task, httpAddress(runners.get(task), task));
        }
        for (Map.Entry<String, List<String>> p : publish.entrySet()) {
          post(http.get(p.getKey()), p.getKey(), p.getValue());
        }
        for (String task : tasks.keySet()) {
          RunnerProcess runner = runners.get(task);
          await()
              .atMost(LIMIT)
              .pollInterval(Duration.ofMillis(200))
              .failFast(task + " runner exited", () -> !runner.isAlive())
              .until(() -> settled(http.get(task)) >= tasks.get(task));
        }
        for (String task : tasks.keySet()) {
          int exit = runners.get(task).terminate(Duration.ofSeconds(40));
          assertThat(exit)
              .as(task + " exit after SIGTERM:\n" + runners.get(task).output())
              .isZero();
        }
      } else {
        for (String task : tasks.keySet()) {
          int exit = runners.get(task).waitFor(LIMIT);
          assertThat(exit).as(task + " exit once idle:\n" + runners.get(task).output()).isZero();
        }
      }
      runners.forEach((task, runner) -> outputs.put(task, runner.output()));
    } finally {
      runners.values().forEach(RunnerProcess::close);
    }
    return outputs;
  }

  /** {@code runner publish} of JSON lines to a task's destination. */
  void publish(String task, List<String> lines) throws Exception {
    Path input = dir.resolve("publish-" + task + ".jsonl");
    Files.write(input, lines);
    RunnerProcess publisher =
        RunnerProcess.startNamed(
            dir,
            "publish-" + task,
            input,
            "publish",
            "--config",
            conf.toString(),
            "--transport=" + transport,
            "--task",
            task);
    try (publisher) {
      assertThat(publisher.waitFor(LIMIT)).as("runner publish:\n" + publisher.output()).isZero();
      assertThat(publisher.output())
          .contains(task + ": published " + lines.size() + " messages to " + transport);
    }
  }

  /** {@code runner replay} of a journal through a task's handler: exit code and output. */
  Result replay(String task, Path journal, String name) throws Exception {
    try (RunnerProcess replay =
        RunnerProcess.startNamed(
            dir,
            name,
            null,
            "replay",
            "--config",
            conf.toString(),
            "--transport=" + transport,
            "--task",
            task,
            "--journal",
            dir.relativize(journal).toString())) {
      int exit = replay.waitFor(LIMIT);
      return new Result(exit, replay.output());
    }
  }

  /** An exit code with the output that came with it. */
  record Result(int exit, String output) {}

  private static String httpAddress(RunnerProcess runner, String task) {
    String[] address = new String[1];
    await()
        .atMost(LIMIT)
        .pollInterval(Duration.ofMillis(100))
        .failFast(task + " runner exited", () -> !runner.isAlive())
        .until(
            () -> {
              Matcher m = HTTP.matcher(runner.output());
              return m.find() && (address[0] = m.group(1)) != null;
            });
    return address[0];
  }

  private static void post(String http, String task, List<String> lines) throws Exception {
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://" + http + "/tasks/" + task + "/messages"))
                .POST(HttpRequest.BodyPublishers.ofString("[" + String.join(",", lines) + "]"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
  }

  /** Messages the running task acked or dead-lettered, from its Prometheus metrics. */
  private static long settled(String http) throws Exception {
    String metrics =
        CLIENT
            .send(
                HttpRequest.newBuilder(URI.create("http://" + http + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    long settled = 0;
    Matcher m = SETTLED.matcher(metrics);
    while (m.find()) {
      settled += Long.parseLong(m.group(2));
    }
    return settled;
  }

  /** The JSON lines of a journal or record file, or none when it does not exist. */
  static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : new ArrayList<>();
  }
}
