package dev.lanes.it;

import static org.awaitility.Awaitility.await;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One fault run: a keyed data set ({@code 40 × 50} order events, plus any {@link #extra} messages
 * in the middle) published by a client that is not Lanes (all before the runner starts, or with
 * {@link #producingDuringFault()} partly while the fault hits), the runner jar consuming it with
 * the samples' RecordingHandler, a {@link Fault} injected once a share of the set is handled, then
 * the run finished and its record read into a {@link FaultRecord}.
 */
final class FaultScenario {

  private static final Duration FINISH_WITHIN = Duration.ofSeconds(60);
  private static final int KEYS = 40;
  private static final int PER_KEY = 50;
  private static final int LANES = 4;
  private static final int CHANNEL_LENGTH = 16;

  /** The pace of the default handler, 2 ms a message on each lane. */
  private static final int PER_SECOND = LANES * 500;

  /** The share of the set handled when the fault is injected. */
  private static final double FAULT_AT = 0.3;

  private static final ToxiproxyClient TOXIPROXY = new ToxiproxyClient("127.0.0.1", 8474);

  private final BrokerTarget target;
  private final Path dir;
  private final String faultName;
  private String handler = "dev.lanes.samples.RecordingHandler";
  private String taskLines = "record.delay = 2ms";
  private List<String> extra = List.of();
  private boolean throughProxy;
  private boolean produceDuringFault;
  private Proxy brokersProxy;
  private String output = "";
  private Predicate<Path> finishedWhen = record -> true;

  private FaultScenario(BrokerTarget target, Path dir, String faultName) {
    this.target = target;
    this.dir = dir;
    this.faultName = faultName;
  }

  static FaultScenario on(BrokerTarget target, Path dir, String faultName) {
    return new FaultScenario(target, dir, faultName);
  }

  /** The handler class and task lines (its settings, retry...) replacing the default pacing. */
  FaultScenario handler(String handler, String taskLines) {
    this.handler = handler;
    this.taskLines = taskLines;
    return this;
  }

  /** Messages that are not order events, published in the middle of the set. */
  FaultScenario extra(List<String> extra) {
    this.extra = List.copyOf(extra);
    return this;
  }

  /** What the record must also show before the run is finished (the extra messages' fate). */
  FaultScenario finishedWhen(Predicate<Path> finishedWhen) {
    this.finishedWhen = finishedWhen;
    return this;
  }

  /** The runner reaches the broker through a Toxiproxy proxy, for network faults. */
  FaultScenario throughProxy() {
    this.throughProxy = true;
    return this;
  }

  /**
   * Only the first 40 % of the set is published before the runner starts; a {@link PacedProducer}
   * publishes the rest while the fault hits.
   */
  FaultScenario producingDuringFault() {
    this.produceDuringFault = true;
    return this;
  }

  /**
   * The runner reaches the broker through {@code proxy}, the broker's own (it advertises the
   * proxy's address), which outlives the scenario.
   */
  FaultScenario throughProxy(Proxy proxy) {
    this.brokersProxy = proxy;
    return this;
  }

  String transport() {
    return target.transport();
  }

  /** What the scenario's runners printed, one after the other. */
  String output() {
    return output;
  }

  Path record() {
    return dir.resolve("handled.jsonl");
  }

  /** Runs the scenario with {@code fault} injected once {@link #FAULT_AT} of the set is handled. */
  FaultRecord run(Fault fault) throws Exception {
    String name =
        "fault_"
            + target.transport()
            + "_"
            + Long.toHexString(ThreadLocalRandom.current().nextLong());
    target.prepare(name);
    List<String> events = new ArrayList<>(Recorded.orderEvents(KEYS, PER_KEY));
    events.addAll(events.size() / 2, extra);
    int upFront = produceDuringFault ? events.size() * 2 / 5 : events.size();
    target.publishMany(name, events.subList(0, upFront));
    int total = KEYS * PER_KEY;
    Proxy proxy = brokersProxy != null ? brokersProxy : throughProxy ? proxy(name) : null;
    Run run = new Run(taskFile(name, proxy), proxy);
    try {
      run.startRunner();
      awaitOrFail(
          run, Duration.ofSeconds(60), () -> Recorded.count(record()) >= (long) (total * FAULT_AT));
      PacedProducer producer =
          upFront < events.size()
              ? PacedProducer.start(target, name, events.subList(upFront, events.size()))
              : null;
      fault.inject(run);
      long faultOver = System.nanoTime();
      // Recovered once more events are handled than the runner can have held through the fault.
      long recoveredAt =
          distinctHandled()
              + target.redeliveryBound(LANES, CHANNEL_LENGTH, PER_SECOND)
              + LANES * CHANNEL_LENGTH;
      long recovery = recoveredAt < total ? -1 : FaultRecord.FINISHED_DURING_FAULT;
      if (recoveredAt < total
          && awaitOrGiveUp(FINISH_WITHIN, () -> distinctHandled() >= recoveredAt)) {
        recovery = Duration.ofNanos(System.nanoTime() - faultOver).toMillis();
      }
      if (producer != null) {
        producer.await(FINISH_WITHIN.toSeconds());
      }
      awaitOrGiveUp(FINISH_WITHIN, () -> handledAll(total) && finishedWhen.test(record()));
      run.runner().terminate(Duration.ofSeconds(40));
      return FaultRecord.of(
          target.transport(),
          faultName,
          Recorded.handledOrderEvents(record()),
          KEYS,
          PER_KEY,
          target.redeliveryBound(LANES, CHANNEL_LENGTH, PER_SECOND),
          recovery);
    } finally {
      run.runners.forEach(RunnerProcess::close);
      output = run.runners.stream().map(RunnerProcess::output).reduce("", (a, b) -> a + b);
      if (proxy != null && proxy != brokersProxy) {
        proxy.delete();
      }
    }
  }

  private Proxy proxy(String name) {
    try {
      return TOXIPROXY.createProxy(name, "127.0.0.1:0", target.upstream());
    } catch (IOException e) {
      throw new AssertionError(
          "toxiproxy-server does not answer on 127.0.0.1:8474 (start it with scripts/brokers.sh"
              + " start toxiproxy): "
              + e,
          e);
    }
  }

  private boolean handledAll(int total) {
    return Recorded.count(record()) >= total && distinctHandled() >= total;
  }

  private long distinctHandled() {
    return Recorded.handledOrderEvents(record()).stream()
        .map(h -> h.order() + "/" + h.seq())
        .distinct()
        .count();
  }

  private Path taskFile(String name, Proxy proxy) throws IOException {
    Path tasks = dir.resolve("fault.conf");
    Files.writeString(
        tasks,
        """
        system {
          transport = memory
          consumerNum = %d
          channelLength = %d
          deliverBy = order_id
          http.port = 0
        }
        orders {
          handler = %s
          record.file = "%s"
          %s
          %s
          %s
          %s
        }
        """
            .formatted(
                LANES,
                CHANNEL_LENGTH,
                handler,
                record(),
                taskLines,
                target.destination(name),
                target.quickRedelivery(),
                proxy == null ? "" : target.brokerAt(proxy.getListen())));
    return tasks;
  }

  private static void awaitOrFail(Run run, Duration atMost, BooleanSupplier done) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(20))
        .failFast(
            () -> {
              if (!run.runner().isAlive()) {
                throw new AssertionError("runner exited:\n" + run.runner().output());
              }
            })
        .until(done::getAsBoolean);
  }

  /** Waits for {@code done}; false on timeout, for the caller's record to say what is missing. */
  private static boolean awaitOrGiveUp(Duration atMost, BooleanSupplier done) {
    try {
      await().atMost(atMost).pollInterval(Duration.ofMillis(20)).until(done::getAsBoolean);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  /** What a {@link Fault} acts on: the runner of the moment and the proxy, if any. */
  final class Run {
    private final Path tasks;
    private final Proxy proxy;
    private final List<RunnerProcess> runners = new ArrayList<>();

    private Run(Path tasks, Proxy proxy) {
      this.tasks = tasks;
      this.proxy = proxy;
    }

    RunnerProcess runner() {
      return runners.get(runners.size() - 1);
    }

    /** Starts a runner on the task (the first, or the one after a crash). */
    void startRunner() throws IOException {
      runners.add(
          RunnerProcess.startNamed(
              dir,
              "runner-" + (runners.size() + 1),
              null,
              "--transport=" + target.transport(),
              "--task",
              "orders",
              "--config",
              tasks.toString()));
    }

    Proxy proxy() {
      if (proxy == null) {
        throw new IllegalStateException("the scenario does not run through a proxy");
      }
      return proxy;
    }
  }
}
