package dev.lanes.runner.alert;

import dev.lanes.api.Message;
import dev.lanes.dispatch.HandlingListener;
import dev.lanes.dispatch.TaskStats;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Decides when a task deserves an alert. Handler calls and dead letters arrive on lane threads
 * through {@link HandlingListener}; stall and backlog are checked by {@link #tick}, the broker
 * connection by {@link #connection}, both called by one thread about once a second. Thresholds can
 * be replaced live with {@link #settings}.
 */
public final class AlertMonitor implements HandlingListener {

  private final AlertLog alerts;
  private final LongSupplier clock;
  private volatile AlertSettings settings;
  private volatile boolean circuitOpen;

  // confined to the tick thread
  private long lastProgress = -1;
  private long progressNanos;
  private boolean stallArmed = true;
  private long backlogAboveSince = -1;
  private boolean backlogArmed = true;
  private long disconnectedSince = -1;
  private boolean unreachableAlerted;

  /**
   * @param clock nanoseconds, as {@link System#nanoTime()}
   */
  public AlertMonitor(AlertLog alerts, AlertSettings settings, LongSupplier clock) {
    this.alerts = alerts;
    this.settings = settings;
    this.clock = clock;
    this.progressNanos = clock.getAsLong();
  }

  /** Replaces the thresholds (after a live update). */
  public void settings(AlertSettings next) {
    this.settings = next;
    alerts.interval(next.interval());
  }

  @Override
  public void handled(Message message, String outcome, Throwable failure, long nanos) {
    long threshold = settings.slowHandler().toNanos();
    if (threshold > 0 && nanos > threshold) {
      Map<String, Object> facts = messageFacts(message);
      facts.put("outcome", outcome);
      facts.put("durationMs", TimeUnit.NANOSECONDS.toMillis(nanos));
      facts.put("thresholdMs", settings.slowHandler().toMillis());
      alerts.raise(
          AlertKind.SLOW_HANDLER,
          "handler took "
              + TimeUnit.NANOSECONDS.toMillis(nanos)
              + " ms on message "
              + message.id()
              + ", over alerts.slowHandler "
              + settings.slowHandler().toMillis()
              + " ms",
          facts);
    }
  }

  @Override
  public void deadLettered(Message message, String reason, boolean retriesExhausted) {
    if (retriesExhausted) {
      Map<String, Object> facts = messageFacts(message);
      facts.put("reason", reason);
      alerts.raise(
          AlertKind.HANDLER_FAILED,
          "message "
              + message.id()
              + " failed after "
              + message.attempt()
              + " attempts and was dead-lettered: "
              + reason,
          facts);
    }
  }

  /** One FATAL {@code circuit_open} record; no {@code stalled} alert while the breaker is open. */
  @Override
  public void circuitOpened(float failureRate, int failedCalls, int calls, String lastFailure) {
    circuitOpen = true;
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("failureRate", failureRate);
    facts.put("failedCalls", failedCalls);
    facts.put("calls", calls);
    facts.put("lastFailure", lastFailure);
    alerts.raise(
        AlertKind.CIRCUIT_OPEN,
        "circuit breaker open: "
            + failedCalls
            + " of "
            + calls
            + " handler calls failed ("
            + failureRate
            + "%); intake paused until probes succeed; last failure: "
            + lastFailure,
        facts);
  }

  /** One INFO {@code circuit_closed} record. */
  @Override
  public void circuitClosed(long openMillis, int probes) {
    circuitOpen = false;
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("openMs", openMillis);
    facts.put("probes", probes);
    alerts.notice(
        "circuit_closed",
        "circuit breaker closed after " + openMillis + " ms; intake resumes",
        facts);
  }

  private static Map<String, Object> messageFacts(Message message) {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("messageId", message.id());
    if (message.key() != null) {
      facts.put("messageKey", message.key());
    }
    facts.put("attempt", message.attempt());
    if (message.origin() != null) {
      facts.put("destination", message.origin().destination());
    }
    return facts;
  }

  /** Checks stall and backlog against the task's counters now. */
  public void tick(TaskStats stats, OptionalLong backlog) {
    long now = clock.getAsLong();
    AlertSettings s = settings;
    checkStall(now, s, stats, backlog);
    checkBacklog(now, s, backlog);
  }

  private void checkStall(long now, AlertSettings s, TaskStats stats, OptionalLong backlog) {
    long progress = stats.acked() + stats.retried() + stats.rejected();
    boolean work = stats.inFlight() > 0 || backlog.orElse(0) > 0;
    // an open breaker alerted already; a lost broker connection has its own alert
    boolean explained = circuitOpen || (disconnectedSince >= 0 && !s.brokerUnreachable().isZero());
    if (progress != lastProgress || !work || explained) {
      lastProgress = progress;
      progressNanos = now;
      stallArmed = true;
      return;
    }
    long stalled = now - progressNanos;
    if (s.stall().isZero() || !stallArmed || stalled < s.stall().toNanos()) {
      return;
    }
    stallArmed = false;
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("stalledForMs", TimeUnit.NANOSECONDS.toMillis(stalled));
    facts.put("inFlight", stats.inFlight());
    backlog.ifPresent(b -> facts.put("backlog", b));
    facts.put("thresholdMs", s.stall().toMillis());
    alerts.raise(
        AlertKind.STALLED,
        "no handler call finished for "
            + TimeUnit.NANOSECONDS.toMillis(stalled)
            + " ms while "
            + stats.inFlight()
            + " deliveries are in flight and the backlog is "
            + (backlog.isPresent() ? backlog.getAsLong() : "unknown"),
        facts);
  }

  private void checkBacklog(long now, AlertSettings s, OptionalLong backlog) {
    if (s.backlog() <= 0 || backlog.isEmpty() || backlog.getAsLong() <= s.backlog()) {
      backlogAboveSince = -1;
      backlogArmed = true;
      return;
    }
    if (backlogAboveSince < 0) {
      backlogAboveSince = now;
    }
    long above = now - backlogAboveSince;
    if (!backlogArmed || above < s.backlogFor().toNanos()) {
      return;
    }
    backlogArmed = false;
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("backlog", backlog.getAsLong());
    facts.put("threshold", s.backlog());
    facts.put("aboveForMs", TimeUnit.NANOSECONDS.toMillis(above));
    alerts.raise(
        AlertKind.BACKLOG,
        "backlog "
            + backlog.getAsLong()
            + " has been above "
            + s.backlog()
            + " for "
            + TimeUnit.NANOSECONDS.toMillis(above)
            + " ms",
        facts);
  }

  /**
   * Checks the source's connection now: one {@code broker_unreachable} alert once it has been
   * disconnected for {@code alerts.brokerUnreachable}, and one INFO {@code broker_reachable} record
   * when it is connected again after that. Called by the tick thread, before {@link #tick}.
   */
  public void connection(boolean connected) {
    long now = clock.getAsLong();
    if (connected) {
      if (unreachableAlerted) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("unreachableForMs", TimeUnit.NANOSECONDS.toMillis(now - disconnectedSince));
        alerts.notice(
            "broker_reachable",
            "connected to the broker again after "
                + TimeUnit.NANOSECONDS.toMillis(now - disconnectedSince)
                + " ms; consumption resumes",
            facts);
      }
      disconnectedSince = -1;
      unreachableAlerted = false;
      return;
    }
    if (disconnectedSince < 0) {
      disconnectedSince = now;
    }
    Duration threshold = settings.brokerUnreachable();
    long down = now - disconnectedSince;
    if (unreachableAlerted || threshold.isZero() || down < threshold.toNanos()) {
      return;
    }
    unreachableAlerted = true;
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("unreachableForMs", TimeUnit.NANOSECONDS.toMillis(down));
    facts.put("thresholdMs", threshold.toMillis());
    alerts.raise(
        AlertKind.BROKER_UNREACHABLE,
        "disconnected from the broker for "
            + TimeUnit.NANOSECONDS.toMillis(down)
            + " ms, over alerts.brokerUnreachable "
            + threshold.toMillis()
            + " ms; reconnecting, nothing is consumed meanwhile",
        facts);
  }

  /** The task failed or stopped leaving work unacked. */
  public void abnormalStop(String reason, Map<String, ?> facts) {
    alerts.raise(AlertKind.ABNORMAL_STOP, "stopped abnormally: " + reason, facts);
  }
}
