package dev.lanes.testing;

import dev.lanes.spi.Acknowledger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Records how one delivery was settled. Writes {@code ack:<id>}, {@code retry:<id>}, {@code
 * reject:<id>} or {@code release:<id>} to an optional shared {@link EventLog} so tests can check
 * order across fakes.
 */
public final class RecordingAcknowledger implements Acknowledger {

  /** One settle call; {@code attempt} is the next attempt of a retry, the attempts of a reject. */
  public record Settlement(String kind, Duration delay, String reason, long atNanos, int attempt) {}

  private final String id;
  private final EventLog log;
  private final List<Settlement> settlements = new ArrayList<>();
  private volatile boolean stale;
  private int touches;

  public RecordingAcknowledger(String id, EventLog log) {
    this.id = id;
    this.log = log;
  }

  @Override
  public synchronized void ack() {
    record(new Settlement("ack", null, null, System.nanoTime(), 0));
  }

  @Override
  public synchronized void retry(Duration delay, int attempt) {
    record(new Settlement("retry", delay, null, System.nanoTime(), attempt));
  }

  @Override
  public synchronized void reject(String reason, int attempts) {
    record(new Settlement("reject", null, reason, System.nanoTime(), attempts));
  }

  @Override
  public synchronized void release() {
    record(new Settlement("release", null, null, System.nanoTime(), 0));
  }

  @Override
  public synchronized void touch() {
    touches++;
  }

  @Override
  public boolean isStale() {
    return stale;
  }

  public void markStale() {
    stale = true;
  }

  private void record(Settlement settlement) {
    settlements.add(settlement);
    if (log != null) {
      log.add(settlement.kind() + ":" + id);
    }
  }

  public synchronized List<Settlement> settlements() {
    return List.copyOf(settlements);
  }

  /** The only settlement; fails when there is none or more than one. */
  public synchronized Settlement single() {
    if (settlements.size() != 1) {
      throw new AssertionError("expected exactly one settlement of " + id + ", got " + settlements);
    }
    return settlements.get(0);
  }

  public synchronized boolean isSettled() {
    return !settlements.isEmpty();
  }

  public synchronized int touches() {
    return touches;
  }
}
