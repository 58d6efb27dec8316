package dev.lanes.transport.local;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.TaskConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: measures the local transport's publish and consume rates on this machine, for
 * docs/transports/local.md. Run from the repository root after {@code mvn -pl transport-local -am
 * test-compile}:
 *
 * <pre>
 * mvn -q -pl transport-local dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * CP=core/target/classes:transport-local/target/classes:transport-local/target/test-classes
 * java -cp "$CP:$(cat /tmp/cp.txt)" dev.lanes.transport.local.LocalBenchmark [seconds]
 * </pre>
 */
public final class LocalBenchmark {

  private static final byte[] PAYLOAD =
      "{\"data\":{\"order_id\":123456,\"amount\":\"19.99\",\"note\":\"a typical small message\"}}"
          .getBytes(StandardCharsets.UTF_8);

  private LocalBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path dir = Files.createTempDirectory("lanes-local-bench");
    System.out.printf(
        "store %s, %d-byte payloads, %d s per sustained run%n", dir, PAYLOAD.length, seconds);
    publishOnly(dir, "publish, 1 message per call, 1 thread", 1, 1, 20_000);
    publishOnly(dir, "publish, 1 message per call, 4 threads", 1, 4, 20_000);
    publishOnly(dir, "publishBatch of 100, 1 thread", 100, 1, 200_000);
    drain(dir, 200_000);
    sustained(dir, seconds);
  }

  private static void publishOnly(Path dir, String what, int batch, int threads, int total)
      throws Exception {
    TaskConfig task = task(dir, "publish-" + batch + "-" + threads);
    try (LocalPublisher publisher = new LocalTransport().openPublisher(task)) {
      List<Thread> workers = new ArrayList<>();
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        Thread worker =
            new Thread(
                () -> {
                  try {
                    for (int i = 0; i < total / threads; i += batch) {
                      publisher.publishBatch(messages(batch));
                    }
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        workers.add(worker);
        worker.start();
      }
      for (Thread worker : workers) {
        worker.join();
      }
      report(what, total, System.nanoTime() - start);
    }
  }

  private static void drain(Path dir, int total) throws Exception {
    TaskConfig task = task(dir, "drain");
    try (LocalPublisher publisher = new LocalTransport().openPublisher(task)) {
      for (int i = 0; i < total; i += 1000) {
        publisher.publishBatch(messages(1000));
      }
    }
    AtomicLong handled = new AtomicLong();
    TaskRuntime runtime = runtime(task, handled);
    long start = System.nanoTime();
    runtime.start();
    while (handled.get() < total) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    long took = System.nanoTime() - start;
    runtime.stop();
    report("consume a backlog (10 lanes, handler acks at once)", total, took);
  }

  private static void sustained(Path dir, int seconds) throws Exception {
    TaskConfig task = task(dir, "sustained");
    AtomicLong handled = new AtomicLong();
    AtomicLong published = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    TaskRuntime runtime = runtime(task, handled);
    runtime.start();
    try (LocalPublisher publisher = new LocalTransport().openPublisher(task)) {
      Thread producer =
          new Thread(
              () -> {
                try {
                  while (running.get()) {
                    publisher.publishBatch(messages(100));
                    published.addAndGet(100);
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      long start = System.nanoTime();
      producer.start();
      TimeUnit.SECONDS.sleep(seconds);
      running.set(false);
      producer.join();
      long took = System.nanoTime() - start;
      long consumedInWindow = handled.get();
      report("sustained publish (batches of 100) while consuming", published.get(), took);
      report("sustained consume while publishing", consumedInWindow, took);
    } finally {
      runtime.stop();
    }
  }

  private static TaskRuntime runtime(TaskConfig task, AtomicLong handled) {
    return TaskRuntime.create(
        task,
        new LocalTransport(),
        m -> {
          handled.incrementAndGet();
          return Outcome.ack();
        },
        new SimpleMeterRegistry());
  }

  private static TaskConfig task(Path dir, String queue) {
    return TaskConfigLoader.forTask(
        queue,
        Map.of(
            "transport",
            "local",
            "consumerNum",
            10,
            "deliverBy",
            "order_id",
            "local.dataDir",
            dir.toString(),
            "local.queue",
            queue));
  }

  private static List<Message> messages(int n) {
    List<Message> batch = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      batch.add(Message.builder().key("k" + (i % 64)).payload(PAYLOAD).build());
    }
    return batch;
  }

  private static void report(String what, long count, long nanos) {
    double s = nanos / 1e9;
    System.out.printf("%-55s %9d msgs %7.2f s %9.0f msg/s%n", what, count, s, count / s);
  }
}
