package dev.lanes.runtime;

import com.typesafe.config.Config;
import dev.lanes.spi.TaskConfig;
import java.util.Collection;
import java.util.List;

/**
 * Which config changes a running task can take without a new subscription: core's lanes, queue
 * bounds, routing, retry policy and timeouts, plus the keys the caller (the runner) says it applies
 * live itself. Any other change — transport, its settings, handler, a key nobody claims — needs a
 * graceful restart.
 */
final class LiveChanges {

  /** Core's own keys that {@link TaskRuntime#update} applies live. */
  static final List<String> CORE_LIVE_KEYS =
      List.of(
          "consumerNum",
          "channelLength",
          "deliverBy",
          "routing",
          "retry",
          "handlerTimeout",
          "shutdownTimeout");

  private LiveChanges() {}

  static boolean needRestart(TaskConfig current, TaskConfig next, Collection<String> callerLive) {
    return !withoutLiveKeys(current.config(), callerLive)
        .root()
        .equals(withoutLiveKeys(next.config(), callerLive).root());
  }

  private static Config withoutLiveKeys(Config config, Collection<String> callerLive) {
    Config rest = config;
    for (String key : CORE_LIVE_KEYS) {
      rest = rest.withoutPath(key);
    }
    for (String key : callerLive) {
      rest = rest.withoutPath(key);
    }
    return rest;
  }
}
