package dev.lanes.runner.service;

import dev.lanes.runner.service.TaskSource.Loaded;
import dev.lanes.spi.TaskConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Describes what an update changes, for the operator and the log. */
final class ConfigChanges {

  /** What {@link #describe} says when none of the settings it describes changed. */
  static final String NONE = "no changes";

  private ConfigChanges() {}

  static String describe(Loaded before, Loaded after) {
    TaskConfig a = before.task();
    TaskConfig b = after.task();
    List<String> changes = new ArrayList<>();
    change(changes, "transport", a.transport(), b.transport());
    change(changes, "handler", a.handler(), b.handler());
    change(changes, "plugins.dir", before.settings().pluginsDir(), after.settings().pluginsDir());
    change(changes, "consumerNum", a.consumerNum(), b.consumerNum());
    change(changes, "channelLength", a.channelLength(), b.channelLength());
    change(changes, "deliverBy", a.deliverBy(), b.deliverBy());
    change(changes, "retry", a.retry(), b.retry());
    change(changes, "handlerTimeout", a.handlerTimeout(), b.handlerTimeout());
    change(changes, "shutdownTimeout", a.shutdownTimeout(), b.shutdownTimeout());
    change(changes, "alerts", before.settings().alerts(), after.settings().alerts());
    change(changes, "log levels", levels(before), levels(after));
    if (a.transport().equals(b.transport())
        && !Objects.equals(section(a, a.transport()), section(b, b.transport()))) {
      changes.add(a.transport() + " settings changed");
    }
    if (!before.settings().http().equals(after.settings().http())) {
      changes.add("http changed (takes effect at the next start: runner restart)");
    }
    if (!before.settings().log().format().equals(after.settings().log().format())) {
      changes.add("log.format changed (takes effect at the next start)");
    }
    return changes.isEmpty() ? NONE : String.join(", ", changes);
  }

  private static Object section(TaskConfig task, String key) {
    return task.config().hasPath(key) ? task.config().getValue(key) : null;
  }

  private static String levels(Loaded loaded) {
    return loaded.settings().log().level() + " " + loaded.settings().log().levels();
  }

  private static void change(List<String> changes, String key, Object from, Object to) {
    if (!Objects.equals(from, to)) {
      changes.add(key + " " + from + " -> " + to);
    }
  }
}
