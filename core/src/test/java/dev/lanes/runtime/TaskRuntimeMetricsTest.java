package dev.lanes.runtime;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Outcome;
import dev.lanes.metrics.TaskMetrics;
import dev.lanes.testing.EventLog;
import dev.lanes.testing.FakeSource;
import dev.lanes.testing.FakeTransport;
import dev.lanes.testing.Messages;
import dev.lanes.testing.RecordingAcknowledger;
import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskRuntimeMetricsTest {

  // Bug: TaskMetrics.received() is never called (Dispatcher.accept only bumps its own stats), so
  // messaging.client.consumed.messages stays at 0 whatever the task consumes.
  @Test
  void countsConsumedMessagesAndOutcomes() {
    FakeSource source = new FakeSource(new EventLog());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskRuntime runtime =
        TaskRuntime.create(
            Tasks.task("metrics", Map.of()),
            FakeTransport.of(source),
            m -> Outcome.ack(),
            registry);
    runtime.start();
    try {
      List<RecordingAcknowledger> acks = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        acks.add(source.deliver(Messages.order(i, i)));
      }
      eventually().until(() -> acks.stream().allMatch(RecordingAcknowledger::isSettled));

      Counter consumed = registry.find(TaskMetrics.CONSUMED).tag("lanes.task", "metrics").counter();
      assertThat(consumed).isNotNull();
      assertThat(consumed.count()).isEqualTo(3.0);
      assertThat(
              registry
                  .find(TaskMetrics.PROCESS_DURATION)
                  .tag("lanes.outcome", "ack")
                  .timer()
                  .count())
          .isEqualTo(3);
      assertThat(registry.find(TaskMetrics.BREAKER_STATE).tag("lanes.task", "metrics").gauge())
          .as("the breaker's state, closed (and off by default)")
          .isNotNull()
          .extracting(g -> g.value())
          .isEqualTo(0.0);
    } finally {
      runtime.stop();
    }
  }
}
