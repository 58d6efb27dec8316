package dev.lanes.testing;

import dev.lanes.spi.TaskConfig;
import java.util.List;

/** The threads of a task, found by the naming of {@link dev.lanes.spi.TransportContext#threads}. */
public final class Threads {

  private Threads() {}

  /** The names of the live threads named {@code lanes-<task>-...}. */
  public static List<String> of(TaskConfig task) {
    String prefix = "lanes-" + task.name() + "-";
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith(prefix))
        .toList();
  }
}
