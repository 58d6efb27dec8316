package dev.lanes.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  private static Lifecycle at(TaskState... path) {
    Lifecycle lifecycle = new Lifecycle("t");
    TaskState current = TaskState.NEW;
    for (TaskState next : path) {
      assertThat(lifecycle.move(current, next)).isTrue();
      current = next;
    }
    return lifecycle;
  }

  @Test
  void startsNew() {
    assertThat(new Lifecycle("t").get()).isEqualTo(TaskState.NEW);
  }

  @Test
  void movesOnlyFromTheExpectedState() {
    Lifecycle lifecycle = at(TaskState.STARTING);
    assertThat(lifecycle.move(TaskState.RUNNING, TaskState.DRAINING)).isFalse();
    assertThat(lifecycle.get()).isEqualTo(TaskState.STARTING);
    assertThat(lifecycle.move(TaskState.STARTING, TaskState.RUNNING)).isTrue();
    assertThat(lifecycle.get()).isEqualTo(TaskState.RUNNING);
  }

  @Test
  void refusesAnIllegalTransition() {
    Lifecycle lifecycle = at(TaskState.STARTING, TaskState.RUNNING);
    assertThatThrownBy(() -> lifecycle.move(TaskState.RUNNING, TaskState.STOPPED))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("illegal transition RUNNING -> STOPPED");
    assertThatThrownBy(() -> lifecycle.move(TaskState.RUNNING, TaskState.NEW))
        .isInstanceOf(IllegalStateException.class);
    assertThat(lifecycle.get()).isEqualTo(TaskState.RUNNING);
  }

  @Test
  void failsFromAnyLiveStateButNotFromAnEndedOne() {
    for (Lifecycle live :
        List.of(
            at(TaskState.STARTING),
            at(TaskState.STARTING, TaskState.RUNNING),
            at(TaskState.STARTING, TaskState.RUNNING, TaskState.DRAINING))) {
      live.fail();
      assertThat(live.get()).isEqualTo(TaskState.FAILED);
    }
    Lifecycle stopped =
        at(TaskState.STARTING, TaskState.RUNNING, TaskState.DRAINING, TaskState.STOPPED);
    stopped.fail();
    assertThat(stopped.get()).isEqualTo(TaskState.STOPPED);
    Lifecycle failed = at(TaskState.STARTING, TaskState.FAILED);
    failed.fail();
    assertThat(failed.get()).isEqualTo(TaskState.FAILED);
  }

  @Test
  void letsExactlyOneOfManyRacingThreadsMove() throws Exception {
    Lifecycle lifecycle = at(TaskState.STARTING, TaskState.RUNNING);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger winners = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                if (lifecycle.move(TaskState.RUNNING, TaskState.DRAINING)) {
                  winners.incrementAndGet();
                }
              });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join(5_000);
    }
    assertThat(winners.get()).isEqualTo(1);
    assertThat(lifecycle.get()).isEqualTo(TaskState.DRAINING);
  }
}
