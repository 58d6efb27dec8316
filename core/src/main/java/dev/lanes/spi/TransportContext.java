package dev.lanes.spi;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What Lanes hands a transport when it opens a task's source or publisher ({@link
 * Transport#openSource(TransportContext)}): the task, a meter registry whose meters carry the
 * task's tags, Lanes' thread naming and a clock. Immutable; built by the runtime once per open.
 *
 * <p>Meters a transport registers go to the runtime's registry with the task's tags added, so they
 * appear in {@code /metrics} next to the task's own. Meters whose concept brokers share ({@link
 * TransportMeters}) are not registered here: the runtime registers them from what the source
 * reports.
 *
 * @param task the task's settings
 * @param meters a registry scoped to the task: every meter registered here gets the task's tags
 * @param clock the clock for timestamps and deadlines (a fixed one in tests)
 */
public record TransportContext(TaskConfig task, MeterRegistry meters, Clock clock) {

  public TransportContext {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(meters, "meters");
    Objects.requireNonNull(clock, "clock");
  }

  /**
   * A context for {@code task} whose meters go to {@code registry} with {@code tags} added, on the
   * system clock.
   */
  public static TransportContext of(TaskConfig task, MeterRegistry registry, Tags tags) {
    CompositeMeterRegistry scoped = new CompositeMeterRegistry(registry.config().clock());
    scoped.config().commonTags(tags);
    scoped.add(registry);
    return new TransportContext(task, scoped, Clock.systemUTC());
  }

  /** A context for tests and embedding: meters go nowhere. */
  public static TransportContext of(TaskConfig task) {
    return new TransportContext(task, new CompositeMeterRegistry(), Clock.systemUTC());
  }

  /**
   * A thread factory naming its threads {@code lanes-<task>-<role>}, then {@code
   * lanes-<task>-<role>-2}, {@code -3}...; daemon threads where {@code daemon}.
   */
  public ThreadFactory threads(String role, boolean daemon) {
    String base = "lanes-" + task.name() + "-" + role;
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      int n = count.incrementAndGet();
      Thread thread = new Thread(runnable, n == 1 ? base : base + "-" + n);
      thread.setDaemon(daemon);
      return thread;
    };
  }
}
