package dev.lanes.bench;

import dev.lanes.api.Message;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import dev.lanes.spi.TransportContext;
import dev.lanes.transport.local.LocalTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The embedded local queue in a temporary data directory, one queue per run, published to through
 * Lanes' own local publisher in this process (which wakes the consumer at once). The local queue
 * has no client of its own: the baseline is its {@link Source} alone, acking each message on the
 * poll thread, so the difference measures what the dispatcher and the lanes add, not the queue.
 */
final class LocalLatency implements LatencyTransport {

  private final LocalTransport transport = new LocalTransport();
  private final Path dataDir;
  private int queues;

  LocalLatency() throws IOException {
    this.dataDir = Files.createTempDirectory("lanes-latency");
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public String rawName() {
    return "local source only";
  }

  @Override
  public boolean ordered() {
    return true;
  }

  @Override
  public Transport transport() {
    return transport;
  }

  @Override
  public String newDestination() {
    return "latency_" + ++queues;
  }

  @Override
  public Map<String, Object> lanesConfig(String queue) {
    return Map.of("transport", "local", "local.dataDir", dataDir.toString(), "local.queue", queue);
  }

  @Override
  public PacedProducer.Sender sender(String queue) {
    Publisher publisher = transport.openPublisher(task("latency_producer", queue));
    return new PacedProducer.Sender() {
      @Override
      public void send(List<PacedProducer.Due> batch) throws Exception {
        List<Message> messages = new ArrayList<>(batch.size());
        for (PacedProducer.Due due : batch) {
          messages.add(
              Message.builder().key(Integer.toString(due.key())).payload(due.payload()).build());
        }
        publisher.publishAll(messages); // one transaction, one fsync
      }

      @Override
      public void close() {
        publisher.close();
      }
    };
  }

  @Override
  public AutoCloseable startRaw(String queue, LatencyProbe probe) {
    Source source = transport.openSource(TransportContext.of(task("latency_raw", queue)));
    source.start(
        delivery -> {
          probe.received(delivery.message().payload());
          delivery.acknowledger().ack();
        });
    return source::close;
  }

  private TaskConfig task(String name, String queue) {
    return TaskConfigLoader.forTask(name, new HashMap<>(lanesConfig(queue)));
  }

  @Override
  public void close() throws IOException {
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
