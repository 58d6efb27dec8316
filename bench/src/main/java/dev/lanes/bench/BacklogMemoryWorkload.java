package dev.lanes.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Goal 5 of issue 15, memory under a backlog: for each transport, a destination preloaded with
 * {@code backlog} messages of {@code size} bytes is consumed by a task whose handler stalls, in a
 * JVM of its own with {@code -Xmx} fixed ({@link StalledTask}). The heap it holds while stalled,
 * after a full collection and less the heap of a task that has handled {@code warmup} messages and
 * holds none, must stay under the bound the task's configuration sets:
 *
 * <pre>
 *   held × (size + overhead) + client bytes + 1 MiB
 *   held = consumerNum × channelLength + client messages   (kafka, local)
 *        = the client's window of unsettled messages         (amqp prefetch, nsq maxInFlight)
 * </pre>
 *
 * where the client's share is what its broker client may fetch beyond the lanes ({@link
 * Backlog#clientBuffer}), {@code overhead} is the allowance for the objects around one held payload
 * and the 1 MiB is {@link Settings#SLACK}. Then the handler is released and the first {@code drain}
 * messages must be handled once each, every key in order (NSQ, which promises no order once a
 * channel spills to disk, reports its order but is not failed on it). An unbounded buffer shows as
 * growth past the bound or as an OutOfMemoryError in the consumer JVM. Exits 1 on any violation.
 *
 * <p>Arguments: {@code key=value} pairs overriding {@link Settings#defaults()} ({@code
 * transport=local,kafka|all}, {@code backlog=N}, ...), or {@code tiny} for a run of seconds on the
 * local queue that only shows the harness works.
 */
public final class BacklogMemoryWorkload {

  /** One workload; {@code transport} lists the transports to run, one after the other. */
  record Settings(
      List<String> transport,
      long backlog,
      int size,
      int keys,
      int consumerNum,
      int channelLength,
      String routing,
      String xmx,
      int overhead,
      int warmup,
      int stallSeconds,
      long drain,
      int drainTimeoutSeconds,
      String kafka,
      String amqp,
      String nsqd,
      String nsqdHttp,
      String localDir) {

    static final List<String> ALL = List.of("local", "amqp", "kafka", "nsq");

    /**
     * A fixed 1 MiB for what is not per message: heap after a full collection differs by some
     * hundred KiB between two samples of the same idle JVM, and a client's fixed buffers (a
     * channel's frame buffers, a fetch session) may first grow under load.
     */
    static final long SLACK = 1024 * 1024;

    static Settings defaults() {
      return new Settings(
          ALL,
          1_000_000,
          100,
          1_000,
          10,
          1024,
          "lane",
          "256m",
          2048,
          2_000,
          20,
          100_000,
          300,
          "127.0.0.1:9092",
          "amqp://guest:guest@127.0.0.1:5672",
          "127.0.0.1:4150",
          "127.0.0.1:4151",
          System.getProperty("java.io.tmpdir") + "/lanes-bench-memory");
    }

    static Settings tiny() {
      Settings d = defaults();
      return new Settings(
          List.of("local"),
          10_000,
          100,
          100,
          4,
          256,
          "lane",
          "128m",
          2048,
          200,
          2,
          3_000,
          60,
          d.kafka(),
          d.amqp(),
          d.nsqd(),
          d.nsqdHttp(),
          d.localDir());
    }

    /** Messages the lanes may hold: {@code consumerNum × channelLength}. */
    long laneCapacity() {
      return (long) consumerNum * channelLength;
    }

    /**
     * Messages a stalled task may hold: the lanes plus what the client fetched beyond them, or the
     * client's window alone where the broker stops at a window of unsettled messages.
     */
    long heldBound(Backlog.ClientBuffer client) {
      return client.window() ? client.messages() : laneCapacity() + client.messages();
    }

    /** The bound of the heap a stalled task may hold beyond its idle baseline, in bytes. */
    long bound(Backlog.ClientBuffer client) {
      return heldBound(client) * (size + overhead) + client.bytes() + SLACK;
    }

    List<String> toArgs() {
      return List.of(
          "backlog=" + backlog,
          "size=" + size,
          "keys=" + keys,
          "consumerNum=" + consumerNum,
          "channelLength=" + channelLength,
          "routing=" + routing,
          "xmx=" + xmx,
          "overhead=" + overhead,
          "warmup=" + warmup,
          "stallSeconds=" + stallSeconds,
          "drain=" + drain,
          "drainTimeoutSeconds=" + drainTimeoutSeconds,
          "kafka=" + kafka,
          "amqp=" + amqp,
          "nsqd=" + nsqd,
          "nsqdHttp=" + nsqdHttp,
          "localDir=" + localDir);
    }
  }

  private BacklogMemoryWorkload() {}

  public static void main(String[] args) throws Exception {
    Settings settings = parse(args, null);
    Payloads payloads = new Payloads(settings.keys(), settings.size());
    System.out.printf(
        "backlog-memory workload: %,d messages of %d B over %d keys, consumerNum %d ×"
            + " channelLength %d, routing %s, consumer JVM -Xmx%s, handler stalled %d s, then %,d drained%n",
        settings.backlog(),
        settings.size(),
        settings.keys(),
        settings.consumerNum(),
        settings.channelLength(),
        settings.routing(),
        settings.xmx(),
        settings.stallSeconds(),
        Math.min(settings.drain(), settings.backlog()));
    System.out.printf(
        "bound = held × (size + %d B overhead) + client bytes + 1 MiB, held = consumerNum × channelLength"
            + " + client messages (kafka, local) or the client's window alone (amqp, nsq)%n%n",
        settings.overhead());
    List<String> rows = new ArrayList<>();
    boolean allValid = true;
    for (String transport : settings.transport()) {
      Backlog backlog = Backlog.of(transport, settings);
      String destination =
          "lanes-bench-mem-" + transport + "-" + UUID.randomUUID().toString().substring(0, 8);
      String idle = destination + "-idle";
      try {
        backlog.create(idle);
        backlog.create(destination);
        backlog.preload(idle, Math.min(settings.warmup(), settings.backlog()), payloads);
        long start = System.nanoTime();
        backlog.preload(destination, settings.backlog(), payloads);
        double preloadSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "%s: preloaded %,d in %.1f s (%,.0f msg/s)%n",
            transport, settings.backlog(), preloadSeconds, settings.backlog() / preloadSeconds);
        Backlog.ClientBuffer client = backlog.clientBuffer(backlog.taskSettings(destination));
        System.out.printf(
            "%s: bound = %,d held × %d B + %,d B + 1 MiB = %.1f MiB; client: %s%n",
            transport,
            settings.heldBound(client),
            settings.size() + settings.overhead(),
            client.bytes(),
            settings.bound(client) / 1048576.0,
            client.source());
        Verdict verdict =
            Verdict.judge(
                settings,
                backlog,
                runConsumer(settings, transport, destination, idle),
                preloadSeconds);
        allValid &= verdict.valid();
        rows.add(verdict.row());
      } catch (Exception e) {
        allValid = false;
        rows.add("| " + transport + " | failed to run: " + e + " |");
      } finally {
        backlog.delete(destination);
        backlog.delete(idle);
      }
    }
    System.out.println();
    System.out.println(Verdict.HEADER);
    rows.forEach(System.out::println);
    if (!allValid) {
      System.out.println(
          "INVALID: heap over the bound, a consumer JVM failed, or messages lost,"
              + " duplicated or reordered in the drained sample");
    }
    System.exit(allValid ? 0 : 1);
  }

  /** Runs {@link StalledTask} in its own JVM; its {@code RESULT} line, or its exit code. */
  private static Map<String, String> runConsumer(
      Settings settings, String transport, String destination, String idle) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + settings.xmx());
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(StalledTask.class.getName());
    command.addAll(settings.toArgs());
    command.add("transport=" + transport);
    command.add("destination=" + destination);
    command.add("idle=" + idle);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Map<String, String> result = new ConcurrentHashMap<>();
    Thread reader =
        new Thread(() -> readResult(process, result), "lanes-bench-memory-" + transport + "-out");
    reader.start();
    long limit = settings.stallSeconds() + settings.drainTimeoutSeconds() + 300L;
    if (!process.waitFor(limit, TimeUnit.SECONDS)) {
      System.out.printf("%s: consumer JVM still running after %d s; killed%n", transport, limit);
      process.destroyForcibly();
    }
    reader.join();
    result.put("exit", Integer.toString(process.waitFor()));
    return result;
  }

  /** Echoes the consumer's output and collects the pairs of its {@code RESULT} line. */
  private static void readResult(Process process, Map<String, String> result) {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("RESULT ")) {
          for (String pair : line.substring(7).split(" ")) {
            String[] kv = pair.split("=", 2);
            result.put(kv[0], kv[1]);
          }
        } else {
          System.out.println(line);
        }
      }
    } catch (IOException e) {
      System.out.println("lost the consumer's output: " + e);
    }
  }

  /**
   * The settings from {@code key=value} arguments over the defaults ({@code tiny} first switches to
   * the tiny defaults). Keys the workload does not know go to {@code extra} when given, else are an
   * error.
   */
  static Settings parse(String[] args, Map<String, String> extra) {
    BenchArgs parsed = BenchArgs.parse(args, KEYS, extra);
    Settings d = parsed.tiny() ? Settings.tiny() : Settings.defaults();
    Map<String, String> given = parsed.given();
    String transport = given.getOrDefault("transport", String.join(",", d.transport()));
    if (extra != null && given.containsKey("transport")) {
      extra.put("transport", transport);
    }
    return new Settings(
        transport.equals("all") ? Settings.ALL : List.of(transport.split(",")),
        Long.parseLong(given.getOrDefault("backlog", Long.toString(d.backlog()))),
        intOr(given, "size", d.size()),
        intOr(given, "keys", d.keys()),
        intOr(given, "consumerNum", d.consumerNum()),
        intOr(given, "channelLength", d.channelLength()),
        given.getOrDefault("routing", d.routing()),
        given.getOrDefault("xmx", d.xmx()),
        intOr(given, "overhead", d.overhead()),
        intOr(given, "warmup", d.warmup()),
        intOr(given, "stallSeconds", d.stallSeconds()),
        Long.parseLong(given.getOrDefault("drain", Long.toString(d.drain()))),
        intOr(given, "drainTimeoutSeconds", d.drainTimeoutSeconds()),
        given.getOrDefault("kafka", d.kafka()),
        given.getOrDefault("amqp", d.amqp()),
        given.getOrDefault("nsqd", d.nsqd()),
        given.getOrDefault("nsqdHttp", d.nsqdHttp()),
        given.getOrDefault("localDir", d.localDir()));
  }

  private static final List<String> KEYS =
      List.of(
          "transport",
          "backlog",
          "size",
          "keys",
          "consumerNum",
          "channelLength",
          "routing",
          "xmx",
          "overhead",
          "warmup",
          "stallSeconds",
          "drain",
          "drainTimeoutSeconds",
          "kafka",
          "amqp",
          "nsqd",
          "nsqdHttp",
          "localDir");

  private static int intOr(Map<String, String> given, String key, int otherwise) {
    return given.containsKey(key) ? Integer.parseInt(given.get(key)) : otherwise;
  }
}
