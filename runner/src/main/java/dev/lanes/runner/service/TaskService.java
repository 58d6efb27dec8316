package dev.lanes.runner.service;

import dev.lanes.api.MessageHandler;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.dispatch.TaskStats;
import dev.lanes.runner.alert.AlertLog;
import dev.lanes.runner.alert.AlertMonitor;
import dev.lanes.runner.http.HttpRoutes;
import dev.lanes.runner.http.OpsRoutes;
import dev.lanes.runner.http.OpsServer;
import dev.lanes.runner.http.RunningTask;
import dev.lanes.runner.log.LogSetup;
import dev.lanes.runner.plugin.HandlerLoader;
import dev.lanes.runner.publish.PublishEndpoint;
import dev.lanes.runner.service.TaskSource.Loaded;
import dev.lanes.runtime.StopReport;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.runtime.TaskState;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task running in this process with everything around it: metrics registry and HTTP server,
 * alerts, a once-a-second monitor (rates, stall and backlog alerts, idle exit), live update and
 * graceful stop. Used alike by foreground runs and background services.
 *
 * <p>{@link #update()} and {@link #stop()} are serialized; {@link #status()} and the accessors may
 * be called from any thread at any time.
 */
public final class TaskService implements RunningTask, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TaskService.class);
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final Duration LIVENESS = Duration.ofSeconds(15);

  private final TaskSource source;
  private final ClassLoader loader;
  private final ProcessMetrics metrics;
  private final AlertMonitor monitor;
  private final RateMeter rates = new RateMeter(10);
  private final ScheduledExecutorService ticker;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final long startedNanos = System.nanoTime();
  private final Object lock = new Object();
  private final IdleWatch idle = new IdleWatch();
  private volatile Loaded current;
  private volatile Transport transport;
  private volatile TaskRuntime runtime;
  private volatile OpsServer http;
  private volatile PublishEndpoint publishing;
  private final List<HttpRoutes> routes = new CopyOnWriteArrayList<>();
  private volatile long lastTickNanos = System.nanoTime();
  private volatile StopReport report;
  private volatile StopReport lastStop;

  private TaskService(TaskSource source, ClassLoader loader, Loaded loaded) {
    this.source = source;
    this.loader = loader;
    this.current = loaded;
    this.metrics = new ProcessMetrics();
    AlertLog alerts =
        new AlertLog(loaded.task().name(), loaded.settings().alerts().interval(), System::nanoTime);
    this.monitor = new AlertMonitor(alerts, loaded.settings().alerts(), System::nanoTime);
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "lanes-" + loaded.task().name() + "-monitor"));
  }

  /**
   * Loads the task, opens the HTTP server, publishes the seed, and starts the task.
   *
   * @throws ReadyFailedException when anything fails before a message was consumed; everything
   *     opened so far is closed again
   */
  public static TaskService start(TaskSource source, ClassLoader loader) {
    Loaded loaded = source.load();
    LogSetup.apply(loaded.settings().log(), null);
    warnUnknownKeys(loaded);
    TaskService service = new TaskService(source, loader, loaded);
    try {
      service.open();
      return service;
    } catch (RuntimeException e) {
      service.closeResources();
      throw e;
    }
  }

  private static void warnUnknownKeys(Loaded loaded) {
    loaded
        .unknownKeys()
        .forEach(k -> log.warn("{} (check the file with `runner check`)", k.message()));
  }

  private void open() {
    TaskConfig task = current.task();
    transport = Transports.load(task.transport(), loader);
    MessageHandler handler = HandlerLoader.load(task, loader, current.settings().pluginsDir());
    RunnerSettings.HttpSettings httpSettings = current.settings().http();
    if (httpSettings.enabled()) {
      http = OpsServer.start(httpSettings.host(), httpSettings.port());
      publishing = PublishEndpoint.open(httpSettings.publish(), task); // before any message
    }
    long seeded = Seeder.seed(task, transport, loader);
    if (seeded > 0) {
      log.info("task {}: published {} seed messages to {}", task.name(), seeded, transport.name());
    }
    runtime = TaskRuntime.create(task, transport, handler, metrics.registry(), monitor);
    HandlerLoader.start(runtime, handler);
    if (http != null) {
      OpsRoutes.register(http, metrics.registry(), this, this::isLive);
      publishing.register(http, this);
      ServiceLoader.load(HttpRoutes.class, loader)
          .forEach(
              added -> {
                added.register(http, this);
                routes.add(added);
              });
      log.info(
          "task {}: http on {} (/metrics, /health/live, /health/ready); {}",
          task.name(),
          http.hostAndPort(),
          publishing.describe(task.name()));
    }
    ticker.scheduleWithFixedDelay(
        this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      lastTickNanos = System.nanoTime();
      TaskRuntime r = runtime;
      TaskStats stats = r.stats();
      OptionalLong backlog = r.backlog();
      rates.sample(stats, lastTickNanos);
      if (r.state() == TaskState.RUNNING) {
        monitor.connection(r.isReady());
      }
      monitor.tick(stats, backlog);
      if (r.state() == TaskState.FAILED && report == null) {
        monitor.abnormalStop("the task failed while running", Map.of("state", "FAILED"));
        requestStop("the task failed");
      } else if (idle.isIdleLongEnough(current.settings().exitWhenIdle(), stats, backlog)) {
        log.info(
            "task {}: idle for {} ms, stopping",
            r.task().name(),
            current.settings().exitWhenIdle().toMillis());
        requestStop("idle");
      }
    } catch (RuntimeException e) {
      log.warn("monitor tick failed: {}", e.toString(), e);
    }
  }

  private void requestStop(String why) {
    Thread stopper = new Thread(this::stop, "lanes-" + current.task().name() + "-stop");
    log.debug("stopping: {}", why);
    stopper.start();
  }

  private boolean isLive() {
    return runtime.state() != TaskState.FAILED
        && System.nanoTime() - lastTickNanos < LIVENESS.toNanos();
  }

  /**
   * Re-reads the task file and applies it: live when only lanes, bounds, routing, retry, timeouts,
   * alerts or log levels changed; otherwise (subscription, handler, plugins directory) the pipeline
   * is restarted gracefully with a new handler instance. An invalid file is rejected and the
   * running config stays.
   */
  public Reply update() {
    synchronized (lock) {
      if (report != null) {
        return new Reply(false, "the task is stopping; nothing was changed");
      }
      Loaded next;
      try {
        next = source.load();
      } catch (ReadyFailedException e) {
        log.error("task {}: update rejected: {}", current.task().name(), e.getMessage());
        return new Reply(
            false, "update rejected: " + e.getMessage() + "\nthe previous config keeps running");
      }
      warnUnknownKeys(next);
      return apply(next).followedBy(unknownKeysNote(next));
    }
  }

  private Reply apply(Loaded next) {
    Loaded previous = current;
    String changes = ConfigChanges.describe(previous, next);
    if (!previous.settings().pluginsDir().equals(next.settings().pluginsDir())) {
      return restartPipeline(previous, next, changes); // the handler comes from another directory
    }
    TaskRuntime.UpdateResult result;
    try {
      result = runtime.update(next.task(), RunnerSettings.LIVE_KEYS);
    } catch (IllegalStateException e) {
      return new Reply(false, "cannot update now: " + e.getMessage());
    }
    if (result == TaskRuntime.UpdateResult.APPLIED) {
      applyRunnerSettings(previous, next);
      log.info("task {}: update applied live: {}", next.task().name(), changes);
      return new Reply(true, "applied live: " + changes);
    }
    return restartPipeline(previous, next, changes);
  }

  /** The unknown keys of a loaded file, one warning line each, for the operator's reply. */
  private static String unknownKeysNote(Loaded loaded) {
    StringBuilder note = new StringBuilder();
    loaded.unknownKeys().forEach(k -> note.append("\nwarning: ").append(k.message()));
    return note.toString();
  }

  /** Why {@code next} cannot be applied live, for the operator. */
  private String restartReason(Loaded previous, Loaded next) {
    List<String> keys = runtime.changesNeedingRestart(next.task(), RunnerSettings.LIVE_KEYS);
    if (!keys.isEmpty()) {
      return "only a restart applies a change of " + String.join(", ", keys);
    }
    if (!previous.settings().pluginsDir().equals(next.settings().pluginsDir())) {
      return "the handler comes from another plugins directory";
    }
    return "the circuit breaker was not closed, and the lanes it holds back cannot drain live";
  }

  private Reply restartPipeline(Loaded previous, Loaded next, String changes) {
    String reason = restartReason(previous, next);
    TaskConfig task = next.task();
    Transport nextTransport;
    MessageHandler handler;
    try {
      nextTransport = Transports.load(task.transport(), loader);
      handler = HandlerLoader.load(task, loader, next.settings().pluginsDir());
    } catch (ReadyFailedException e) {
      return new Reply(
          false, "update rejected: " + e.getMessage() + "\nthe previous config keeps running");
    }
    log.info("task {}: the subscription changed; restarting the pipeline gracefully", task.name());
    StopReport old = runtime.stop();
    TaskRuntime fresh =
        TaskRuntime.create(task, nextTransport, handler, metrics.registry(), monitor);
    try {
      HandlerLoader.start(fresh, handler);
    } catch (ReadyFailedException e) {
      log.error(
          "task {}: the new pipeline could not start ({}); going back to the previous config",
          task.name(),
          e.getMessage());
      runtime = fresh;
      try {
        MessageHandler previousHandler =
            HandlerLoader.load(previous.task(), loader, previous.settings().pluginsDir());
        TaskRuntime back =
            TaskRuntime.create(
                previous.task(), transport, previousHandler, metrics.registry(), monitor);
        runtime = back;
        HandlerLoader.start(back, previousHandler);
      } catch (ReadyFailedException again) {
        // the monitor sees the FAILED runtime, raises abnormal_stop and stops the service
        log.error(
            "task {}: the previous config could not start again either: {}",
            task.name(),
            again.getMessage());
        return new Reply(
            false,
            "update rejected: the new pipeline could not start: "
                + e.getMessage()
                + "\nthe previous config could not start again either: "
                + again.getMessage()
                + "\nthe service stops");
      }
      return new Reply(
          false,
          "update rejected: the new pipeline could not start: "
              + e.getMessage()
              + "\nthe previous config runs again");
    }
    runtime = fresh;
    transport = nextTransport;
    applyRunnerSettings(previous, next);
    lastStop = old;
    String stop =
        (old.clean()
                ? "stopped cleanly"
                : "stopped leaving " + old.abandoned() + " deliveries unacked for redelivery")
            + " in "
            + old.took().toMillis()
            + " ms: "
            + old.counts();
    String what = changes.equals(ConfigChanges.NONE) ? "" : ": " + changes; // the reason names it
    return new Reply(
        true, "restarted the pipeline (" + reason + "; previous one " + stop + ")" + what);
  }

  private void applyRunnerSettings(Loaded previous, Loaded next) {
    current = next;
    monitor.settings(next.settings().alerts());
    LogSetup.apply(next.settings().log(), previous.settings().log());
  }

  /**
   * Runs the graceful stop once; later calls return the same report. An unclean stop (work left
   * unacked) raises the abnormal-stop alert; the report of a task that FAILED is never clean.
   */
  public StopReport stop() {
    synchronized (lock) {
      if (report != null) {
        return report;
      }
      ticker.shutdown();
      StopReport r = runtime.stop();
      if (!r.clean()) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("abandoned", r.abandoned());
        facts.put("finished", r.finished());
        facts.put("released", r.released());
        facts.put("tookMs", r.took().toMillis());
        facts.put("shutdownTimeoutMs", runtime.task().shutdownTimeout().toMillis());
        monitor.abnormalStop(
            r.abandoned()
                + " deliveries did not finish within shutdownTimeout "
                + "and were left unacked for redelivery",
            facts);
      }
      // a task that FAILED (its alert came from the monitor) does not end cleanly either
      report = runtime.state() == TaskState.FAILED ? r.unclean() : r;
      stopped.countDown();
      return report;
    }
  }

  /** Waits up to {@code timeout} for the stop; returns its report, or null if still running. */
  public StopReport awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS) ? report : null;
  }

  /** The report of the last pipeline restart's stop (by {@code update}), if there was one. */
  Optional<StopReport> lastStop() {
    return Optional.ofNullable(lastStop);
  }

  /** The facts {@code runner status} prints. */
  public String status() {
    return StatusReport.of(this, Duration.ofNanos(System.nanoTime() - startedNanos));
  }

  /** Stops (if still running), then closes the HTTP server and the metrics. */
  @Override
  public void close() {
    stop();
    closeResources();
  }

  private void closeResources() {
    ticker.shutdownNow();
    if (runtime != null) {
      runtime.stop(); // a no-op unless start failed after the runtime started
    }
    if (http != null) {
      http.close();
    }
    if (publishing != null) {
      publishing.close();
    }
    routes.forEach(HttpRoutes::close);
    metrics.close();
  }

  @Override
  public TaskConfig config() {
    return current.task();
  }

  @Override
  public Transport transport() {
    return transport;
  }

  @Override
  public TaskRuntime runtime() {
    return runtime;
  }

  RateMeter rates() {
    return rates;
  }

  /** The HTTP server's {@code host:port}, when it runs. */
  public Optional<String> httpAddress() {
    OpsServer server = http;
    return server == null ? Optional.empty() : Optional.of(server.hostAndPort());
  }

  /**
   * Where {@code POST /tasks/{task}/messages} is served ({@code host:port}), when publishing is on.
   */
  public Optional<String> publishAddress() {
    PublishEndpoint endpoint = publishing;
    return endpoint == null ? Optional.empty() : endpoint.address();
  }

  /** What an update did: {@code ok} or rejected, and what to tell the operator. */
  public record Reply(boolean ok, String text) {

    /** This reply with {@code more} appended to its text. */
    Reply followedBy(String more) {
      return more.isEmpty() ? this : new Reply(ok, text + more);
    }
  }
}
