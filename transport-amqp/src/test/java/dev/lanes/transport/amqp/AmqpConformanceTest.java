package dev.lanes.transport.amqp;

import dev.lanes.conformance.Features;
import dev.lanes.conformance.TransportConformanceKit;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** The transport conformance kit on the real RabbitMQ. */
@Tag("broker")
class AmqpConformanceTest extends TransportConformanceKit {

  /** Small enough that the kit's backpressure bound means something. */
  private static final int PREFETCH = 20;

  private static final List<String> queues = new ArrayList<>();
  private static RabbitBroker broker;

  @BeforeAll
  static void connect() {
    broker = RabbitBroker.connect();
  }

  /** Deletes every queue and exchange the scenarios declared. */
  @AfterAll
  static void cleanUp() throws Exception {
    for (String queue : queues) {
      broker.task(queue, Map.of("queue", queue)); // registers its objects for deletion
    }
    broker.close();
  }

  @Override
  protected Transport transport() {
    return new AmqpTransport();
  }

  @Override
  protected Map<String, Object> destination(String scenario) {
    String queue = RabbitBroker.unique(scenario.replace('_', '-'));
    queues.add(queue);
    return Map.of(
        "amqp.uri",
        RabbitBroker.URI,
        "amqp.queue",
        queue,
        "amqp.prefetch",
        PREFETCH,
        "amqp.recoveryInterval",
        "500ms");
  }

  @Override
  protected Map<String, Object> deadLetters(TaskConfig task) {
    String dlq = AmqpSettings.of(task).deadLetterQueue();
    queues.add(dlq);
    return Map.of("amqp.uri", RabbitBroker.URI, "amqp.queue", dlq);
  }

  @Override
  protected Features features() {
    return Features.defaults().withFetchWindow(PREFETCH);
  }
}
