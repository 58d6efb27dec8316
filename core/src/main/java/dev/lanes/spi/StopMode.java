package dev.lanes.spi;

import java.util.Locale;
import java.util.Optional;

/**
 * What a graceful stop does with the deliveries a task holds but has not started handling (config
 * key {@code stopMode}). Both modes let the handler calls already running finish, up to {@code
 * shutdownTimeout}, and settle their outcome before the connection closes.
 *
 * <p>Which one keeps per-key order depends on how the broker takes an unsettled message back, so
 * each {@link Transport} names its default ({@link Transport#defaultStopMode()}).
 */
public enum StopMode {

  /**
   * The lanes take nothing new from their queues: every queued, un-started delivery is {@link
   * Acknowledger#release() released} at once, the running calls finish, and the stop ends as soon
   * as they do. A stop takes about one handler call, whatever is queued.
   */
  FINISH_RUNNING("finish-running"),

  /**
   * The lanes handle everything already received before the stop ends: a stop takes as long as the
   * queued work, cut off at {@code shutdownTimeout}.
   */
  DRAIN("drain");

  private final String configName;

  StopMode(String configName) {
    this.configName = configName;
  }

  /** The value as written in config: {@code finish-running} or {@code drain}. */
  public String configName() {
    return configName;
  }

  /** The mode written {@code value} in config (case-insensitive), if there is one. */
  public static Optional<StopMode> parse(String value) {
    String wanted = value.trim().toLowerCase(Locale.ROOT);
    for (StopMode mode : values()) {
      if (mode.configName.equals(wanted)) {
        return Optional.of(mode);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return configName;
  }
}
