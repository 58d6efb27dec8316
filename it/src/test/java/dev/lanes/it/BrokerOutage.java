package dev.lanes.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker unreachable for a long while mid-stream: a {@link FaultScenario} per transport, all
 * run at once, whose proxies are disabled together (one window, so that CI waits for it once), kept
 * disabled for the outage and enabled again. Each result says what the runner did: the fault
 * record, its alert records and how much it logged during the outage.
 */
final class BrokerOutage {

  static final String FAULT = "broker unreachable for a minute";

  private static final Pattern UNREACHABLE = Pattern.compile("kind=\"broker_unreachable\"");
  private static final Pattern REACHABLE = Pattern.compile("kind=\"broker_reachable\"");

  /** The start of a log record in the runner's text format; stack trace lines do not count. */
  private static final Pattern RECORD = Pattern.compile("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");

  private BrokerOutage() {}

  /** What one transport's runner did through the outage. */
  record Result(
      String transport,
      FaultRecord record,
      int unreachableAlerts,
      int reachableRecords,
      boolean reachableAfterAlert,
      int recordsDuringOutage,
      boolean aliveAfterOutage,
      String output) {

    ReliabilityTable.Cell cell() {
      return new ReliabilityTable.Cell(
          FAULT,
          transport,
          "%s; %s, %s; %d log records in the minute"
              .formatted(
                  record.cell().text(),
                  unreachableAlerts == 1 ? "alerted once" : "alerted " + unreachableAlerts + "×",
                  reachableAfterAlert ? "reachable record after" : "NO reachable record after",
                  recordsDuringOutage));
    }

    @Override
    public String toString() {
      return "%s; broker_unreachable %d×, broker_reachable %d× (after the alert: %s), %d log records"
              .formatted(
                  record,
                  unreachableAlerts,
                  reachableRecords,
                  reachableAfterAlert,
                  recordsDuringOutage)
          + ", runner alive after the outage: "
          + aliveAfterOutage;
    }
  }

  /** The fault scenario of one transport, through the proxy the outage disables. */
  @FunctionalInterface
  interface ScenarioThroughProxy {
    FaultScenario on(String transport, Path dir) throws Exception;
  }

  /**
   * Runs the outage of {@code outage} on each of {@code transports} at once, each in the scenario
   * {@code scenarios} makes for it.
   */
  static List<Result> runAtOnce(
      List<String> transports, Path dir, Duration outage, ScenarioThroughProxy scenarios)
      throws Exception {
    CyclicBarrier together = new CyclicBarrier(transports.size());
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            transports.size(), r -> new Thread(r, "outage-" + threads.incrementAndGet()));
    try {
      // every scenario made first (a broker of the test's own may start meanwhile), so that the
      // runners start together
      List<FaultScenario> made = new ArrayList<>();
      for (String transport : transports) {
        made.add(scenarios.on(transport, Files.createDirectories(dir.resolve(transport))));
      }
      List<Future<Result>> running = new ArrayList<>();
      for (FaultScenario scenario : made) {
        running.add(pool.submit(() -> run(scenario, outage, together)));
      }
      List<Result> results = new ArrayList<>();
      for (Future<Result> result : running) {
        results.add(result.get(outage.toSeconds() + 240, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Result run(FaultScenario scenario, Duration outage, CyclicBarrier together)
      throws Exception {
    String transport = scenario.transport();
    int[] records = new int[1];
    boolean[] alive = new boolean[1];
    Fault cut =
        run -> {
          // the other runners may still be starting: the outage begins for all at once
          together.await(120, TimeUnit.SECONDS);
          int before = recordCount(run.runner().output());
          Fault.connectionCut(outage.toMillis()).inject(run);
          records[0] = recordCount(run.runner().output()) - before;
          alive[0] = run.runner().isAlive();
        };
    // 40 ms a message: the rest of the set outlasts the wait for the other runners at the barrier
    // (Kafka's group join takes seconds longer than the others' start)
    scenario.handler("dev.lanes.samples.RecordingHandler", "record.delay = 40ms");
    FaultRecord record = scenario.run(cut);
    String output = scenario.output();
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "outage-" + transport + "-output.txt"), output);
    int unreachable = count(UNREACHABLE, output);
    Matcher firstAlert = UNREACHABLE.matcher(output);
    boolean reachableAfter = firstAlert.find() && REACHABLE.matcher(output).find(firstAlert.end());
    return new Result(
        transport,
        record,
        unreachable,
        count(REACHABLE, output),
        reachableAfter,
        records[0],
        alive[0],
        output);
  }

  private static int count(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static int recordCount(String text) {
    return count(RECORD, text);
  }
}
