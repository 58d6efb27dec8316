package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code amqp.partitions} on a RabbitMQ node without the consistent-hash exchange plugin (a node of
 * the test's own, which runs no plugins): the start fails with one line that names the plugin and
 * how to enable it.
 */
@Tag("broker")
class AmqpPartitionsNeedThePluginTest {

  @TempDir Path dir;

  @Test
  void aBrokerWithoutThePluginFailsTheStartNamingIt() throws Exception {
    try (OwnRabbit rabbit = OwnRabbit.start(dir)) {
      TaskConfig task =
          TaskConfigLoader.forTask(
              "orders",
              Map.of(
                  "transport",
                  "amqp",
                  "amqp.uri",
                  rabbit.uri(),
                  "amqp.exchange",
                  "e.orders",
                  "amqp.partitions",
                  3));
      Source source = Transports.load("amqp").openSource(task);

      assertThatThrownBy(() -> source.start(delivery -> {}))
          .isInstanceOf(ReadyFailedException.class)
          .hasMessageContaining("task 'orders': amqp.exchange: exchange 'e.orders'")
          .hasMessageContaining("unknown exchange type 'x-consistent-hash'")
          .hasMessageContaining("rabbitmq-plugins enable rabbitmq_consistent_hash_exchange");
    }
  }
}
