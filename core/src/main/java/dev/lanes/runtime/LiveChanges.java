package dev.lanes.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import dev.lanes.spi.TaskConfig;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

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

  /**
   * The paths ({@code nsq.topic}, {@code handler}) whose change needs a restart, sorted; empty when
   * none does.
   */
  static List<String> needingRestart(
      TaskConfig current, TaskConfig next, Collection<String> callerLive) {
    Map<String, ConfigValue> before = leaves(withoutLiveKeys(current.config(), callerLive));
    Map<String, ConfigValue> after = leaves(withoutLiveKeys(next.config(), callerLive));
    Set<String> paths = new TreeSet<>(before.keySet());
    paths.addAll(after.keySet());
    paths.removeIf(path -> Objects.equals(before.get(path), after.get(path)));
    return List.copyOf(paths);
  }

  private static Map<String, ConfigValue> leaves(Config config) {
    Map<String, ConfigValue> leaves = new HashMap<>();
    config.entrySet().forEach(e -> leaves.put(e.getKey(), e.getValue()));
    return leaves;
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
