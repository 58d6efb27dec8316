package dev.lanes.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.conformance.RecordingHandler;
import dev.lanes.memory.MemoryTransport;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TaskRuntimeUpdateTest {

  private final String queue = "update-" + UUID.randomUUID();
  private final MemoryTransport transport = new MemoryTransport();

  private TaskConfig config(int lanes, Map<String, Object> extra) {
    Map<String, Object> settings =
        new HashMap<>(
            Map.of(
                "memory.queue",
                queue,
                "consumerNum",
                lanes,
                "channelLength",
                8,
                "deliverBy",
                "order_id",
                "retry.jitter",
                0));
    settings.putAll(extra);
    return TaskConfigLoader.forTask("update", settings);
  }

  /** From 4 to 16 threads in either routing mode, and from lane routing to key routing. */
  @ParameterizedTest(name = "routing {0} -> {1}")
  @CsvSource({"lane, lane", "key, key", "lane, key"})
  void reshardsLanesMidStreamKeepingPerKeyOrder(String before, String after) throws Exception {
    int keys = 32;
    int perKey = 40;
    RecordingHandler handler =
        new RecordingHandler(
            m -> {
              TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextInt(500));
              long seq = (Long) m.field("seq").orElseThrow();
              return seq % 13 == 7 && m.attempt() == 1
                  ? Outcome.retry(Duration.ofMillis(30))
                  : Outcome.ack();
            });
    TaskRuntime runtime =
        TaskRuntime.create(
            config(4, Map.of("routing", before)), transport, handler, new SimpleMeterRegistry());
    runtime.start();
    try (Publisher publisher = transport.openPublisher(config(4, Map.of()))) {
      for (int seq = 0; seq < perKey; seq++) {
        for (int k = 0; k < keys; k++) {
          publisher.publish(
              Message.builder()
                  .payload("{\"data\":{\"order_id\":" + k + ",\"seq\":" + seq + "}}")
                  .build());
        }
        if (seq == perKey / 3) {
          await().until(() -> runtime.stats().acked() > 50);
          assertThat(runtime.update(config(16, Map.of("routing", after))))
              .isEqualTo(TaskRuntime.UpdateResult.APPLIED);
        }
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> handler.acked().size() == keys * perKey);
    runtime.stop();

    Map<Long, List<Long>> seqs = new HashMap<>();
    Set<Integer> lanesAfter = new HashSet<>();
    for (RecordingHandler.Call call : handler.acked()) {
      seqs.computeIfAbsent(
              (Long) call.message().field("order_id").orElseThrow(), k -> new ArrayList<>())
          .add((Long) call.message().field("seq").orElseThrow());
      lanesAfter.add(call.lane());
    }
    assertThat(seqs).hasSize(keys);
    seqs.forEach((key, list) -> assertThat(list).as("key %s", key).isSorted().hasSize(perKey));
    assertThat(lanesAfter).as("lanes used after re-sharding to 16").anyMatch(lane -> lane >= 4);
    assertThat(runtime.stats().inFlight()).isZero();
  }

  @Test
  void aChangeOfSubscriptionRequiresARestartAndChangesNothing() {
    RecordingHandler handler = new RecordingHandler(m -> Outcome.ack());
    TaskRuntime runtime =
        TaskRuntime.create(config(2, Map.of()), transport, handler, new SimpleMeterRegistry());
    runtime.start();
    try {
      TaskConfig otherQueue = config(2, Map.of("memory.queue", queue + "-other"));
      assertThat(runtime.changesNeedingRestart(otherQueue, Set.of()))
          .containsExactly("memory.queue");
      assertThat(runtime.changesNeedingRestart(config(8, Map.of()), Set.of()))
          .as("consumerNum is live")
          .isEmpty();
      assertThat(runtime.update(otherQueue)).isEqualTo(TaskRuntime.UpdateResult.RESTART_REQUIRED);
      assertThat(runtime.task().config().getString("memory.queue")).isEqualTo(queue);
      assertThat(runtime.laneDepths()).hasSize(2);
    } finally {
      runtime.stop();
    }
  }

  /**
   * Core knows only its own live keys; a caller (the runner) names the keys of its own it applies
   * live. Any other key core does not know needs a restart, because it may configure anything.
   */
  @Test
  void keysCoreDoesNotKnowAreLiveOnlyWhereTheCallerSaysSo() {
    RecordingHandler handler = new RecordingHandler(m -> Outcome.ack());
    TaskRuntime runtime =
        TaskRuntime.create(config(2, Map.of()), transport, handler, new SimpleMeterRegistry());
    runtime.start();
    try {
      TaskConfig alerts = config(2, Map.of("alerts.lagThreshold", 5));
      assertThat(runtime.changesNeedingRestart(alerts, Set.of()))
          .containsExactly("alerts.lagThreshold");
      assertThat(runtime.changesNeedingRestart(alerts, Set.of("alerts", "log"))).isEmpty();
      assertThat(runtime.update(alerts)).isEqualTo(TaskRuntime.UpdateResult.RESTART_REQUIRED);
      assertThat(runtime.update(alerts, Set.of("alerts", "log")))
          .isEqualTo(TaskRuntime.UpdateResult.APPLIED);
      assertThat(runtime.task().config().getInt("alerts.lagThreshold")).isEqualTo(5);
    } finally {
      runtime.stop();
    }
  }
}
