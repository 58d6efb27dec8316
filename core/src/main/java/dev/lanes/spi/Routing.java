package dev.lanes.spi;

import java.util.Locale;
import java.util.Optional;

/**
 * How a task spreads its deliveries over its {@code consumerNum} handler threads (config key {@code
 * routing}). Both keep the messages of one {@code deliverBy} key in order, one at a time.
 */
public enum Routing {

  /**
   * Each key belongs to one lane, {@code key mod consumerNum} (a stable hash for non-integer keys),
   * and each lane has its own queue of {@code channelLength}. A slow key delays every key that
   * shares its lane, and lanes with more keys finish later while others sit idle.
   */
  LANE("lane"),

  /**
   * One queue for the task: any idle thread takes the oldest message of the next key that has
   * nothing in flight, keys taking turns. A slow key delays only itself; the same bound on buffered
   * deliveries ({@code consumerNum × channelLength}) applies to the whole task.
   */
  KEY("key");

  private final String configName;

  Routing(String configName) {
    this.configName = configName;
  }

  /** The value as written in config: {@code lane} or {@code key}. */
  public String configName() {
    return configName;
  }

  /** The routing written {@code value} in config (case-insensitive), if there is one. */
  public static Optional<Routing> parse(String value) {
    String wanted = value.trim().toLowerCase(Locale.ROOT);
    for (Routing routing : values()) {
      if (routing.configName.equals(wanted)) {
        return Optional.of(routing);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return configName;
  }
}
