package dev.lanes.transport.local;

import dev.lanes.conformance.Features;
import dev.lanes.conformance.TransportConformanceKit;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import dev.lanes.spi.TransportMeters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport conformance kit on the local store: every scenario gets its own queue in one store
 * file; dead letters are consumed from {@code <queue>.dlq} in the same store.
 */
class LocalConformanceTest extends TransportConformanceKit {

  @TempDir static Path dataDir;

  @Override
  protected Transport transport() {
    return new LocalTransport();
  }

  @Override
  protected Map<String, Object> destination(String scenario) {
    return Map.of(
        "local.dataDir", dataDir.toString(), "local.queue", LocalTestSupport.queue(scenario));
  }

  @Override
  protected Map<String, Object> deadLetters(TaskConfig task) {
    return Map.of(
        "local.dataDir",
        dataDir.toString(),
        "local.queue",
        LocalSettings.from(task).deadLetterQueue());
  }

  @Override
  protected Features features() {
    return Features.defaults()
        .withQuietPeriod(Duration.ofSeconds(1))
        .withTimeout(Duration.ofSeconds(30));
  }

  /** An embedded store, no broker connection to lose: no reconnects. */
  @Override
  protected Set<String> transportMeters() {
    return Set.of(TransportMeters.CONNECTED, TransportMeters.REDELIVERIES);
  }
}
