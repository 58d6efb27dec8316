package dev.lanes.it;

import dev.lanes.it.Recorded.Handled;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a recorded run did to per-key order: whether each of {@code keys} orders saw its events
 * {@code 1..perKey} exactly once each, in sequence, and if not, counts and a first example of each
 * kind of breakage, for a failure message.
 */
record PerKeyOrder(
    int expected,
    int recorded,
    int distinct,
    int redelivered,
    int keysOutOfOrder,
    String firstReorder,
    String firstDuplicate) {

  static PerKeyOrder of(List<Handled> handled, int keys, int perKey) {
    Map<Long, List<Handled>> byKey = new LinkedHashMap<>();
    Set<Handled> seen = new HashSet<>();
    int redelivered = 0;
    String firstDuplicate = null;
    for (Handled h : handled) {
      byKey.computeIfAbsent(h.order(), k -> new ArrayList<>()).add(h);
      if (h.attempt() > 1) {
        redelivered++;
      }
      if (!seen.add(new Handled(h.order(), h.seq(), 1)) && firstDuplicate == null) {
        firstDuplicate =
            "order " + h.order() + " seq " + h.seq() + " (attempt " + h.attempt() + ")";
      }
    }
    int outOfOrder = 0;
    String firstReorder = null;
    for (Map.Entry<Long, List<Handled>> e : byKey.entrySet()) {
      List<Handled> events = e.getValue();
      for (int i = 1; i < events.size(); i++) {
        Handled before = events.get(i - 1);
        Handled after = events.get(i);
        if (after.seq() <= before.seq()) {
          outOfOrder++;
          if (firstReorder == null) {
            firstReorder =
                "order %d saw seq %d (attempt %d), then seq %d (attempt %d)"
                    .formatted(
                        e.getKey(), before.seq(), before.attempt(), after.seq(), after.attempt());
          }
          break;
        }
      }
    }
    return new PerKeyOrder(
        keys * perKey,
        handled.size(),
        seen.size(),
        redelivered,
        outOfOrder,
        firstReorder,
        firstDuplicate);
  }

  /** Every event handled exactly once, in sequence per key. */
  boolean intact() {
    return distinct == expected && recorded == expected && keysOutOfOrder == 0;
  }

  @Override
  public String toString() {
    return ("%d of %d events handled (%d records, %d duplicates, %d redelivered); "
            + "%d keys out of order%s%s")
        .formatted(
            distinct,
            expected,
            recorded,
            recorded - distinct,
            redelivered,
            keysOutOfOrder,
            firstReorder == null ? "" : ", e.g. " + firstReorder,
            firstDuplicate == null ? "" : "; first duplicate: " + firstDuplicate);
  }
}
