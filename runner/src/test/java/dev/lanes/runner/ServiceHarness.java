package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lanes.runner.control.PidFile;
import dev.lanes.runner.control.RunFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Drives real background services for tests: writes {@code conf/ENV.conf} under a temporary
 * directory, runs the control commands in-process exactly as the CLI does (so {@code start}
 * launches a real child JVM with the test class path), reads status facts, the JSON log and {@code
 * /metrics}. {@link #close()} stops whatever is still running.
 */
public final class ServiceHarness implements AutoCloseable {

  static final String ENV = "development";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final Path confDir;
  final Path runDir;
  final String task;

  /** The outcome of one command. */
  public record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  ServiceHarness(Path dir, String task) {
    this.confDir = dir.resolve("conf");
    this.runDir = dir.resolve("run");
    this.task = task;
  }

  /** Writes the task file {@code conf/development.conf}. */
  void writeConf(String text) {
    try {
      Files.createDirectories(confDir);
      Files.writeString(confDir.resolve(ENV + ".conf"), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code runner COMMAND development TASK --conf-dir .. --run-dir ..}. */
  Result command(String command) {
    return run(
        command, ENV, task, "--conf-dir", confDir.toString(), "--run-dir", runDir.toString());
  }

  /** Runs the runner with {@code args} in this JVM, capturing its output. */
  public static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** What the service printed outside its log and the end of its log, for failure messages. */
  String diagnostics() {
    StringBuilder text = new StringBuilder();
    for (Path file : List.of(files().out(), files().log())) {
      try {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        text.append("--- ").append(file.getFileName()).append('\n');
        lines
            .subList(Math.max(0, lines.size() - 40), lines.size())
            .forEach(l -> text.append(l).append('\n'));
      } catch (IOException e) {
        text.append(e).append('\n');
      }
    }
    return text.toString();
  }

  RunFiles files() {
    return new RunFiles(runDir, ENV, task);
  }

  /** Runs {@code status} and returns the value of fact {@code name} ("lanes", "acked", ...). */
  String fact(String name) {
    Result status = command("status");
    assertThat(status.code()).as(status.toString()).isZero();
    return fact(status.out(), name);
  }

  static String fact(String statusText, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + ": (.*)$").matcher(statusText);
    assertThat(m.find()).as("'%s' in status:\n%s", name, statusText).isTrue();
    return m.group(1).trim();
  }

  /** The leading number of a status fact, e.g. 1200 for "acked: 1200". */
  long number(String name) {
    return Long.parseLong(fact(name).split(" ")[0]);
  }

  long pid() {
    return PidFile.read(files().pid()).orElseThrow();
  }

  /** GETs {@code path} from the service's HTTP server. */
  HttpResponse<String> get(String httpAddress, String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://" + httpAddress + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The sum of the samples of {@code metric} in a Prometheus scrape whose labels contain every one
   * of {@code labels} (e.g. {@code lanes_outcome="ack"}).
   */
  static double sample(String scrape, String metric, String... labels) {
    double sum = 0;
    boolean found = false;
    for (String line : scrape.lines().toList()) {
      if (!line.startsWith(metric + "{") && !line.startsWith(metric + " ")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        found = true;
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    assertThat(found).as("%s%s in the scrape", metric, List.of(labels)).isTrue();
    return sum;
  }

  /** The JSON records of the service's log file. */
  List<JsonNode> logRecords() {
    List<JsonNode> records = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(files().log())) {
        if (!line.isBlank()) {
          records.add(JSON.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return records;
  }

  /** The FATAL records of kind {@code kind} in the log. */
  List<JsonNode> alerts(String kind) {
    return logRecords().stream()
        .filter(
            r -> r.path("level").asText().equals("FATAL") && r.path("kind").asText().equals(kind))
        .toList();
  }

  /** Waits until the service's process has exited. */
  void awaitExit(long pid) {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    await().atMost(Duration.ofSeconds(60)).until(() -> process.map(p -> !p.isAlive()).orElse(true));
  }

  /** Stops a service a failed test left running: gracefully, else by force. */
  @Override
  public void close() {
    Optional<ProcessHandle> process = PidFile.liveProcess(files().pid());
    if (process.isEmpty()) {
      return;
    }
    command("stop");
    if (process.get().isAlive()) {
      process.get().destroyForcibly();
    }
  }
}
