package dev.lanes.bench;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.memory.MemoryTransport;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Routing, lane hand-off and settle on the memory transport: one invocation drains a preloaded
 * backlog of {@link #MESSAGES} messages over 1,000 keys through a started task whose handler only
 * acks, so the score (operations per second) is messages per second. The task's start and stop are
 * inside the measurement (about a millisecond against a drain of tens of milliseconds).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LaneHandoffBenchmark {

  /** Messages per invocation. */
  static final int MESSAGES = 200_000;

  private static final int KEYS = 1_000;

  @Param({"lane", "key"})
  public String routing;

  @Param({"4"})
  public int consumerNum;

  private final MemoryTransport transport = new MemoryTransport();
  private final List<Message> backlog = new ArrayList<>();
  private TaskConfig task;
  private CountDownLatch handled;

  @Setup(Level.Trial)
  public void makeBacklog() {
    backlog.clear();
    for (int i = 0; i < MESSAGES; i++) {
      backlog.add(Message.builder().key("k" + (i % KEYS)).payload("x").build());
    }
  }

  @Setup(Level.Invocation)
  public void preload() throws Exception {
    task =
        TaskConfigLoader.forTask(
            "bench",
            Map.of(
                "transport",
                "memory",
                "memory.queue",
                "bench-" + UUID.randomUUID(),
                "consumerNum",
                consumerNum,
                "deliverBy",
                "key",
                "routing",
                routing));
    try (Publisher publisher = transport.openPublisher(task)) {
      publisher.publishAll(backlog);
    }
    handled = new CountDownLatch(MESSAGES);
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public long drain() throws InterruptedException {
    CountDownLatch latch = handled;
    TaskRuntime runtime =
        TaskRuntime.create(
            task,
            transport,
            message -> {
              latch.countDown();
              return Outcome.ack();
            },
            new SimpleMeterRegistry());
    runtime.start();
    latch.await();
    runtime.stop();
    return runtime.stats().acked();
  }

  @TearDown(Level.Invocation)
  public void check() {
    if (handled.getCount() != 0) {
      throw new IllegalStateException(handled.getCount() + " messages not handled");
    }
  }
}
