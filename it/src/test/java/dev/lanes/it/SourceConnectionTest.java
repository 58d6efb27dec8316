package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code Source.isConnected()}, which drives readiness and the {@code broker_unreachable} alert,
 * reports a connection lost mid-run and the reconnection after it: the source reaches the broker
 * through a Toxiproxy proxy that is disabled, then enabled again. Kafka is left out: its client
 * reaches the shared broker's advertised listener past any proxy.
 */
@Tag("broker")
class SourceConnectionTest {

  private static final ToxiproxyClient TOXIPROXY = new ToxiproxyClient("127.0.0.1", 8474);

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"amqp", "nsq"})
  void reportsALostConnectionAndTheReconnection(String transport) throws Exception {
    BrokerTarget target = BrokerTargets.of(transport, dir);
    String name =
        "conn_" + transport + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    target.prepare(name);
    Proxy proxy = TOXIPROXY.createProxy(name, "127.0.0.1:0", target.upstream());
    try {
      TaskConfig task =
          TaskConfigLoader.forTask(
              "orders",
              ConfigFactory.parseString(
                  "transport = "
                      + transport
                      + "\n"
                      + target.destination(name)
                      + "\n"
                      + target.brokerAt(proxy.getListen())
                      + "\namqp.recoveryInterval = 1s\nnsq.lookupInterval = 1s"));
      try (Source source = Transports.load(transport).openSource(task)) {
        source.start(d -> d.acknowledger().ack());
        await().atMost(Duration.ofSeconds(10)).until(source::isConnected);

        proxy.disable();
        await()
            .atMost(Duration.ofSeconds(15))
            .alias("isConnected() false once the connection is cut")
            .until(() -> !source.isConnected());
        Thread.sleep(3000); // several reconnection attempts fail meanwhile
        assertThat(source.isConnected())
            .as("isConnected() while the broker is unreachable")
            .isFalse();

        proxy.enable();
        await()
            .atMost(Duration.ofSeconds(15))
            .alias("isConnected() true again after the reconnection")
            .until(source::isConnected);
      }
    } finally {
      proxy.delete();
    }
  }
}
