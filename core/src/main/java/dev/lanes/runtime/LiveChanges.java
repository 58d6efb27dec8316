package dev.lanes.runtime;

import com.typesafe.config.Config;
import dev.lanes.spi.TaskConfig;
import java.util.List;

/**
 * Which config changes a running task can take without a new subscription: lanes, queue bounds,
 * routing, retry policy, timeouts, and the runner's own keys (alerts, logging, HTTP, idle exit,
 * seed). Any other change — transport, its settings, handler — needs a graceful restart.
 */
final class LiveChanges {

  static final List<String> LIVE_KEYS =
      List.of(
          "consumerNum",
          "channelLength",
          "deliverBy",
          "routing",
          "retry",
          "handlerTimeout",
          "shutdownTimeout",
          "alerts",
          "log",
          "http",
          "exitWhenIdle",
          "seed");

  private LiveChanges() {}

  static boolean needRestart(TaskConfig current, TaskConfig next) {
    return !withoutLiveKeys(current.config()).root().equals(withoutLiveKeys(next.config()).root());
  }

  private static Config withoutLiveKeys(Config config) {
    Config rest = config;
    for (String key : LIVE_KEYS) {
      rest = rest.withoutPath(key);
    }
    return rest;
  }
}
