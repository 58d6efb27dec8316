package dev.lanes.runtime;

import static dev.lanes.runtime.TaskState.DRAINING;
import static dev.lanes.runtime.TaskState.FAILED;
import static dev.lanes.runtime.TaskState.NEW;
import static dev.lanes.runtime.TaskState.RUNNING;
import static dev.lanes.runtime.TaskState.STARTING;
import static dev.lanes.runtime.TaskState.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaskStateTest {

  private static final Map<TaskState, Set<TaskState>> LEGAL =
      Map.of(
          NEW, EnumSet.of(STARTING),
          STARTING, EnumSet.of(RUNNING, FAILED),
          RUNNING, EnumSet.of(DRAINING, FAILED),
          DRAINING, EnumSet.of(STOPPED, FAILED),
          STOPPED, EnumSet.noneOf(TaskState.class),
          FAILED, EnumSet.noneOf(TaskState.class));

  static Stream<Arguments> everyPair() {
    List<Arguments> pairs = new ArrayList<>();
    for (TaskState from : TaskState.values()) {
      for (TaskState to : TaskState.values()) {
        pairs.add(Arguments.of(from, to, LEGAL.get(from).contains(to)));
      }
    }
    return pairs.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @MethodSource("everyPair")
  void allowsExactlyTheTransitionsOfTheDesign(TaskState from, TaskState to, boolean legal) {
    assertThat(from.canMoveTo(to)).isEqualTo(legal);
  }

  @Test
  void followsTheHappyPathInOrder() {
    TaskState[] path = {NEW, STARTING, RUNNING, DRAINING, STOPPED};
    for (int i = 0; i + 1 < path.length; i++) {
      assertThat(path[i].canMoveTo(path[i + 1])).as("%s -> %s", path[i], path[i + 1]).isTrue();
    }
  }

  @Test
  void neverLeavesATerminalState() {
    for (TaskState to : TaskState.values()) {
      assertThat(STOPPED.canMoveTo(to)).isFalse();
      assertThat(FAILED.canMoveTo(to)).isFalse();
    }
  }

  @Test
  void reportsADistinctStableCodePerState() {
    assertThat(Stream.of(TaskState.values()).map(TaskState::code))
        .containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(RUNNING.code()).isEqualTo(2);
    assertThat(FAILED.code()).isEqualTo(5);
  }
}
