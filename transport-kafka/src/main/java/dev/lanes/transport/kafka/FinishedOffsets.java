package dev.lanes.transport.kafka;

import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The offsets above a partition's committed offset that were already finished, carried in the
 * commit's metadata so that the partition's next owner skips them instead of handling them again.
 * Work finishes out of order across lanes, and a stop in {@code finish-running} mode releases the
 * records it had not started: the committed offset stops at the first of those, and without this
 * the records finished above it would be handled a second time.
 *
 * <p>Format: {@value #PREFIX} then runs {@code gap+length,} in base 36, each gap counted from the
 * end of the previous run (the first from the committed offset). Past {@value #MAX_CHARS}
 * characters (the broker's {@code offset.metadata.max.bytes} is 4096 by default) nothing is
 * written: the next owner then handles those records again, as without metadata.
 */
final class FinishedOffsets {

  static final String PREFIX = "lanes-finished:";
  static final int MAX_CHARS = 3000;

  private FinishedOffsets() {}

  /**
   * @param committed the offset being committed
   * @param finished finished offsets above it, ascending
   * @return the metadata, or an empty string when there is none or it would be too long
   */
  static String encode(long committed, List<Long> finished) {
    if (finished.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder(PREFIX);
    long end = committed;
    int i = 0;
    while (i < finished.size()) {
      long start = finished.get(i);
      long last = start;
      while (i + 1 < finished.size() && finished.get(i + 1) == last + 1) {
        i++;
        last++;
      }
      i++;
      out.append(Long.toString(start - end, 36))
          .append('+')
          .append(Long.toString(last - start + 1, 36))
          .append(',');
      end = last + 1;
      if (out.length() > MAX_CHARS) {
        return "";
      }
    }
    return out.toString();
  }

  /** The finished offsets a commit at {@code committed} carried; empty when it carried none. */
  static NavigableSet<Long> decode(long committed, String metadata) {
    NavigableSet<Long> finished = new TreeSet<>();
    if (metadata == null || !metadata.startsWith(PREFIX)) {
      return finished;
    }
    try {
      long end = committed;
      for (String run : metadata.substring(PREFIX.length()).split(",")) {
        if (run.isEmpty()) {
          continue;
        }
        int plus = run.indexOf('+');
        long start = end + Long.parseLong(run.substring(0, plus), 36);
        long length = Long.parseLong(run.substring(plus + 1), 36);
        if (start < end || length < 1 || length > MAX_CHARS * 36L * 36L) {
          return new TreeSet<>(); // not ours after all: handle everything again
        }
        for (long offset = start; offset < start + length; offset++) {
          finished.add(offset);
        }
        end = start + length;
      }
    } catch (RuntimeException e) {
      return new TreeSet<>();
    }
    return finished;
  }
}
