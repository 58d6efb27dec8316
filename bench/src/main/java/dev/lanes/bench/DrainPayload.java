package dev.lanes.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The records of the drain workload. Record {@code i} of a backlog has key {@code k<i mod keys>}
 * and is number {@code i / keys} of its key; its value is {@code k<key>:<number>:} padded with
 * {@code x} to the record size, so a consumer reads key and number from the value alone (NSQ has no
 * key, and the raw clients ignore it). Stateless.
 */
final class DrainPayload {

  /** What {@link #parse} returns for a value that is not one of ours. */
  static final long FOREIGN = -1;

  private DrainPayload() {}

  static String key(int key) {
    return "k" + key;
  }

  /** The value of number {@code seq} of key {@code key}, {@code size} bytes (longer if need be). */
  static byte[] value(int key, int seq, int size) {
    byte[] head = (key(key) + ":" + seq + ":").getBytes(StandardCharsets.US_ASCII);
    byte[] value = new byte[Math.max(size, head.length)];
    Arrays.fill(value, (byte) 'x');
    System.arraycopy(head, 0, value, 0, head.length);
    return value;
  }

  /**
   * Key and number of a value, packed as {@code key << 32 | seq}, or {@link #FOREIGN}. Reads the
   * bytes in place: the handler of every consumer under test calls this once per record.
   */
  static long parse(byte[] value) {
    if (value.length < 4 || value[0] != 'k') {
      return FOREIGN;
    }
    int i = 1;
    long key = 0;
    for (; i < value.length && value[i] != ':'; i++) {
      int digit = value[i] - '0';
      if (digit < 0 || digit > 9 || key > Integer.MAX_VALUE) {
        return FOREIGN;
      }
      key = key * 10 + digit;
    }
    if (i == 1 || i == value.length) {
      return FOREIGN;
    }
    long seq = 0;
    int start = ++i;
    for (; i < value.length && value[i] != ':'; i++) {
      int digit = value[i] - '0';
      if (digit < 0 || digit > 9 || seq > Integer.MAX_VALUE) {
        return FOREIGN;
      }
      seq = seq * 10 + digit;
    }
    if (i == start || i >= value.length || key > Integer.MAX_VALUE || seq > Integer.MAX_VALUE) {
      return FOREIGN;
    }
    return key << 32 | seq;
  }
}
