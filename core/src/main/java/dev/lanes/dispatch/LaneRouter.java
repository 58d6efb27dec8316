package dev.lanes.dispatch;

/**
 * Maps a routing key to a lane: integers to {@code value mod lanes}, other keys to a stable hash
 * mod lanes. The same key always maps to the same lane for a given lane count, in every process and
 * JVM version ({@link String#hashCode()} is specified by the language, and its bits are spread with
 * murmur3's finaliser).
 */
final class LaneRouter {

  private LaneRouter() {}

  /**
   * The lane of {@code key} among {@code lanes}; {@code key} is a {@code Long} or a {@code String}.
   */
  static int laneOf(Object key, int lanes) {
    if (key instanceof Long value) {
      return (int) Math.floorMod(value, (long) lanes);
    }
    return Math.floorMod(spread(key.hashCode()), lanes);
  }

  private static int spread(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
