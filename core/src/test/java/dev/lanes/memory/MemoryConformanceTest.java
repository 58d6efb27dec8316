package dev.lanes.memory;

import dev.lanes.conformance.Features;
import dev.lanes.conformance.TransportConformanceKit;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import dev.lanes.spi.TransportMeters;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

class MemoryConformanceTest extends TransportConformanceKit {

  @Override
  protected Transport transport() {
    return new MemoryTransport();
  }

  @Override
  protected Map<String, Object> destination(String scenario) {
    return Map.of("memory.queue", scenario + "-" + UUID.randomUUID());
  }

  @Override
  protected Map<String, Object> deadLetters(TaskConfig task) {
    return Map.of("memory.queue", MemoryBroker.deadLetterName(MemoryTransport.queueName(task)));
  }

  /** In-process: no connection to lose, so no reconnects and no redeliveries. */
  @Override
  protected Set<String> transportMeters() {
    return Set.of(TransportMeters.CONNECTED);
  }

  /** The source hands the lanes a batch at a time, so up to one batch arrives after a pause. */
  @Override
  protected Features features() {
    return Features.defaults().withFetchWindow(MemorySource.MAX_BATCH);
  }
}
