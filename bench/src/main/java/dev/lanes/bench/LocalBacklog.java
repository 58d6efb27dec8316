package dev.lanes.bench;

import dev.lanes.api.Message;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.transport.local.LocalPublisher;
import dev.lanes.transport.local.LocalTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A queue of the embedded local store (SQLite) in a fresh data directory, filled by the local
 * transport's own publisher {@link #BATCH} messages per transaction. The source may hold one claim
 * of {@code local.batchSize} messages beyond the lanes.
 */
final class LocalBacklog implements Backlog {

  private static final int BATCH = 20_000;
  private static final int DEFAULT_BATCH_SIZE = 256;

  private final Path dataDir;

  LocalBacklog(BacklogMemoryWorkload.Settings settings) {
    this.dataDir = Path.of(settings.localDir()).toAbsolutePath();
  }

  @Override
  public String transport() {
    return "local";
  }

  @Override
  public void create(String queue) throws Exception {
    Files.createDirectories(dataDir);
  }

  @Override
  public void preload(String queue, long count, Payloads payloads) throws Exception {
    try (LocalPublisher publisher =
        new LocalTransport().openPublisher(TaskConfigLoader.forTask(queue, taskSettings(queue)))) {
      List<Message> batch = new ArrayList<>(BATCH);
      for (long i = 0; i < count; i++) {
        batch.add(Message.builder().payload(payloads.bytes(i)).build());
        if (batch.size() == BATCH || i + 1 == count) {
          publisher.publishBatch(batch);
          batch.clear();
        }
      }
    }
  }

  @Override
  public Map<String, Object> taskSettings(String queue) {
    return Map.of("transport", "local", "local.dataDir", dataDir.toString(), "local.queue", queue);
  }

  @Override
  public ClientBuffer clientBuffer(Map<String, Object> task) {
    return new ClientBuffer(DEFAULT_BATCH_SIZE, 0, false, "local.batchSize (256)");
  }

  /** Deletes the whole data directory: every queue of the run is in it. */
  @Override
  public void delete(String queue) {
    if (!Files.isDirectory(dataDir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      System.err.println("could not delete " + dataDir + ": " + e);
    }
  }
}
