package dev.lanes.transport.kafka;

import dev.lanes.spi.TaskConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A consumer process for {@link KafkaKillTest}: consumes {@code args[0]} in group {@code args[1]}
 * on four worker threads, each record taking a few milliseconds, and prints {@code handled
 * <payload>} on stdout once a record is handled, just before acking it. It runs until killed.
 */
public final class KilledConsumerMain {

  private KilledConsumerMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    TaskConfig task = KafkaBroker.task("killed", args[0], args[1],
        Map.of("kafka.consumer.session.timeout.ms", 6000));
    ExecutorService workers = Executors.newFixedThreadPool(4);
    KafkaSource source = (KafkaSource) new KafkaTransport().openSource(task);
    source.start(delivery -> workers.execute(() -> {
      try {
        Thread.sleep(4);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      synchronized (out) {
        out.println("handled " + delivery.message().payloadAsString());
        out.flush();
      }
      delivery.acknowledger().ack();
    }));
    out.println("started");
    out.flush();
    Thread.currentThread().join(); // until SIGKILL
  }
}
