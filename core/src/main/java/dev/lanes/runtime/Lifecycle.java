package dev.lanes.runtime;

import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The state of one task, changed only by legal compare-and-set transitions, each logged once. */
final class Lifecycle {

  private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

  private final String task;
  private final AtomicReference<TaskState> state = new AtomicReference<>(TaskState.NEW);

  Lifecycle(String task) {
    this.task = task;
  }

  TaskState get() {
    return state.get();
  }

  /** Moves from {@code from} to {@code to}; returns false if the task was not in {@code from}. */
  boolean move(TaskState from, TaskState to) {
    if (!from.canMoveTo(to)) {
      throw new IllegalStateException("illegal transition " + from + " -> " + to);
    }
    if (state.compareAndSet(from, to)) {
      log.info("task {}: {} -> {}", task, from, to);
      return true;
    }
    return false;
  }

  /** Moves to FAILED from wherever the task is, unless it already ended. */
  void fail() {
    TaskState current;
    while ((current = state.get()).canMoveTo(TaskState.FAILED)) {
      if (move(current, TaskState.FAILED)) {
        return;
      }
    }
  }
}
