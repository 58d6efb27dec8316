package dev.lanes.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A workload's command line: {@code tiny} (its seconds-long size, wherever it stands) and {@code
 * key=value} pairs of the workload's keys.
 *
 * @param tiny whether {@code tiny} was given
 * @param given the values given, by key
 */
record BenchArgs(boolean tiny, Map<String, String> given) {

  /**
   * @throws IllegalArgumentException naming the argument that is neither {@code tiny} nor a {@code
   *     key=value} of {@code keys}
   */
  static BenchArgs parse(String[] args, List<String> keys) {
    return parse(args, keys, null);
  }

  /**
   * Like {@link #parse(String[], List)}, but a {@code key=value} of another key goes to {@code
   * extra} when it is not null.
   */
  static BenchArgs parse(String[] args, List<String> keys, Map<String, String> extra) {
    boolean tiny = false;
    Map<String, String> given = new HashMap<>();
    for (String arg : args) {
      if (arg.equals("tiny")) {
        tiny = true;
        continue;
      }
      String[] kv = arg.split("=", 2);
      if (kv.length == 2 && keys.contains(kv[0])) {
        given.put(kv[0], kv[1]);
      } else if (kv.length == 2 && extra != null) {
        extra.put(kv[0], kv[1]);
      } else {
        throw new IllegalArgumentException("expected tiny or one of " + keys + "=..., got " + arg);
      }
    }
    return new BenchArgs(tiny, given);
  }
}
