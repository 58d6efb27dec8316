package dev.lanes.it;

import dev.lanes.it.Recorded.Handled;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a fault run did to a keyed data set of {@code keys × perKey} events: how many were handled
 * (at least once), lost, handled more than once, and on how many keys the first handling of each
 * event broke the sequence; how long the run took to handle a message again once the fault was
 * over, and how the runner exited.
 *
 * @param recoveryMillis from the end of the fault until more events were handled than the runner
 *     can have held through it (so some were delivered after it); -1 when that never happened,
 *     {@link #FINISHED_DURING_FAULT} when too little was left after the fault to tell
 * @param redeliveryBound the most duplicates the transport may produce for this fault (its window
 *     of unsettled deliveries); 0 where none are allowed
 */
record FaultRecord(
    String transport,
    String fault,
    int expected,
    int handled,
    int lost,
    int duplicates,
    int reorderedKeys,
    int redeliveryBound,
    long recoveryMillis,
    String firstReorder) {

  static final long FINISHED_DURING_FAULT = -2;

  /** A scenario that measures its own recovery (the scale-out tests' hand-over). */
  static final long NOT_MEASURED = -3;

  static FaultRecord of(
      String transport,
      String fault,
      List<Handled> recorded,
      int keys,
      int perKey,
      int redeliveryBound,
      long recoveryMillis) {
    Map<Long, List<Long>> firstSeqs = firstSeqsByKey(recorded);
    int distinct = firstSeqs.values().stream().mapToInt(List::size).sum();
    int duplicates = recorded.size() - distinct;
    Map<Long, String> reorderings = reorderings(firstSeqs);
    int reordered = reorderings.size();
    String firstReorder = reorderings.values().stream().findFirst().orElse(null);
    int expected = keys * perKey;
    return new FaultRecord(
        transport,
        fault,
        expected,
        distinct,
        expected - distinct,
        duplicates,
        reordered,
        redeliveryBound,
        recoveryMillis,
        firstReorder);
  }

  /** The keys whose first handlings are not in sequence, in the order they were first handled. */
  static Set<Long> reorderedKeys(List<Handled> recorded) {
    return reorderings(firstSeqsByKey(recorded)).keySet();
  }

  /** Per key, in the order keys were first handled, the sequence numbers of first handlings. */
  private static Map<Long, List<Long>> firstSeqsByKey(List<Handled> recorded) {
    Set<Handled> seen = new HashSet<>();
    Map<Long, List<Long>> firstSeqs = new LinkedHashMap<>();
    for (Handled h : recorded) {
      if (seen.add(new Handled(h.order(), h.seq(), 0))) {
        firstSeqs.computeIfAbsent(h.order(), k -> new ArrayList<>()).add(h.seq());
      }
    }
    return firstSeqs;
  }

  /** Each key whose first handlings break sequence, with its first break described. */
  private static Map<Long, String> reorderings(Map<Long, List<Long>> firstSeqs) {
    Map<Long, String> reorderings = new LinkedHashMap<>();
    for (Map.Entry<Long, List<Long>> e : firstSeqs.entrySet()) {
      List<Long> seqs = e.getValue();
      for (int i = 1; i < seqs.size(); i++) {
        if (seqs.get(i) <= seqs.get(i - 1)) {
          reorderings.put(
              e.getKey(),
              "key %d saw seq %d before seq %d"
                  .formatted(e.getKey(), seqs.get(i - 1), seqs.get(i)));
          break;
        }
      }
    }
    return reorderings;
  }

  /**
   * Nothing lost, duplicates within the bound and, where {@code orderPromised}, the first handling
   * of each key's events in sequence.
   */
  boolean kept(boolean orderPromised) {
    return lost == 0 && duplicates <= redeliveryBound && (!orderPromised || reorderedKeys == 0);
  }

  /** This record as a cell of the reliability table. */
  ReliabilityTable.Cell cell() {
    return new ReliabilityTable.Cell(
        fault,
        transport,
        "%d lost, %d dup, %d reord, %s".formatted(lost, duplicates, reorderedKeys, recovery()));
  }

  /** The recovery time as text, or what stands in for it. */
  private String recovery() {
    if (recoveryMillis == FINISHED_DURING_FAULT) {
      return "finished during the fault";
    }
    if (recoveryMillis == NOT_MEASURED) {
      return "not measured here";
    }
    return recoveryMillis < 0 ? "no recovery" : "%.1f s".formatted(recoveryMillis / 1e3);
  }

  @Override
  public String toString() {
    return ("%s on %s: %d of %d handled, %d lost, %d duplicates (bound %d), %d keys reordered%s,"
            + " recovery: %s")
        .formatted(
            fault,
            transport,
            handled,
            expected,
            lost,
            duplicates,
            redeliveryBound,
            reorderedKeys,
            firstReorder == null ? "" : " (" + firstReorder + ")",
            recovery());
  }
}
