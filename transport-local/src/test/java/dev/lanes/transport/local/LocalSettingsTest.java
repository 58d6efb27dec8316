package dev.lanes.transport.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.testing.Tasks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalSettingsTest {

  @Test
  void defaultsComeFromReferenceConfAndQueueDefaultsToTheTaskName() {
    LocalSettings s = LocalSettings.from(Tasks.task("orders", Map.of()));
    assertThat(s.queue()).isEqualTo("orders");
    assertThat(s.deadLetterQueue()).isEqualTo("orders.dlq");
    assertThat(s.dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
    assertThat(s.visibilityTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.pollInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.batchSize()).isEqualTo(256);
  }

  @Test
  void explicitValuesAreRead() {
    LocalSettings s =
        LocalSettings.from(
            Tasks.task(
                "orders",
                Map.of(
                    "local.dataDir",
                    "/var/lib/lanes",
                    "local.queue",
                    "q1",
                    "local.visibilityTimeout",
                    "5s",
                    "local.pollInterval",
                    "50ms",
                    "local.batchSize",
                    10)));
    assertThat(s)
        .isEqualTo(
            new LocalSettings(
                Path.of("/var/lib/lanes"), "q1", Duration.ofSeconds(5), Duration.ofMillis(50), 10));
  }

  @Test
  void invalidValuesAreReadyFailedNamingTheKey() {
    assertInvalid(Map.of("local.visibilityTimeout", "500ms"), "local.visibilityTimeout", ">= 1s");
    assertInvalid(Map.of("local.pollInterval", "0s"), "local.pollInterval", "> 0");
    assertInvalid(Map.of("local.pollInterval", "often"), "local.pollInterval", "a duration");
    assertInvalid(Map.of("local.batchSize", 0), "local.batchSize", ">= 1");
    assertInvalid(Map.of("local.dataDir", " "), "local.dataDir", "not empty");
  }

  private static void assertInvalid(Map<String, Object> overrides, String key, String expected) {
    assertThatThrownBy(() -> LocalSettings.from(Tasks.task("orders", overrides)))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 'orders'")
        .hasMessageContaining(key)
        .hasMessageContaining(expected);
  }
}
