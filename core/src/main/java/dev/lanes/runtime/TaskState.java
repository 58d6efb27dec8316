package dev.lanes.runtime;

import java.util.EnumSet;
import java.util.Set;

/**
 * Lifecycle of a task: {@code NEW → STARTING → RUNNING → DRAINING → STOPPED}, or {@code FAILED}
 * from {@code STARTING} (ReadyFailed) or {@code RUNNING} (the source died). The code is what the
 * {@code lanes.task.state} gauge reports.
 */
public enum TaskState {
  NEW(0),
  STARTING(1),
  RUNNING(2),
  DRAINING(3),
  STOPPED(4),
  FAILED(5);

  private final int code;

  TaskState(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** Whether a task in this state may move to {@code next}. */
  public boolean canMoveTo(TaskState next) {
    return successors().contains(next);
  }

  private Set<TaskState> successors() {
    return switch (this) {
      case NEW -> EnumSet.of(STARTING);
      case STARTING -> EnumSet.of(RUNNING, FAILED);
      case RUNNING -> EnumSet.of(DRAINING, FAILED);
      case DRAINING -> EnumSet.of(STOPPED, FAILED);
      case STOPPED, FAILED -> EnumSet.noneOf(TaskState.class);
    };
  }
}
