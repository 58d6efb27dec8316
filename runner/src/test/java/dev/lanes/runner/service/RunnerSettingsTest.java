package dev.lanes.runner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.TaskConfigLoader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunnerSettingsTest {

  private static RunnerSettings of(Map<String, ?> overrides) {
    return RunnerSettings.of(TaskConfigLoader.forTask("t", overrides));
  }

  @Test
  void defaultsComeFromReferenceConf() {
    RunnerSettings settings = of(Map.of());
    assertThat(settings.http().enabled()).isTrue();
    assertThat(settings.http().host()).isEqualTo("127.0.0.1");
    assertThat(settings.http().port()).isEqualTo(8086);
    assertThat(settings.http().publish().enabled()).isFalse();
    assertThat(settings.alerts().slowHandler()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.alerts().stall()).isEqualTo(Duration.ofSeconds(60));
    assertThat(settings.alerts().backlog()).isZero();
    assertThat(settings.alerts().brokerUnreachable()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.alerts().interval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(settings.log().format()).isEqualTo("text");
    assertThat(settings.log().levels()).isEmpty();
    assertThat(settings.pluginsDir()).isEqualTo(java.nio.file.Path.of("plugins"));
  }

  @Test
  void readsLoggerLevelsWithDottedNames() {
    RunnerSettings settings =
        RunnerSettings.of(
            TaskConfigLoader.forTask(
                "t",
                com.typesafe.config.ConfigFactory.parseString(
                    "log { level = warn, levels { \"dev.lanes.dispatch\" = debug } }")));
    assertThat(settings.log().level()).isEqualTo("WARN");
    assertThat(settings.log().levels()).containsExactly(Map.entry("dev.lanes.dispatch", "DEBUG"));
  }

  @Test
  void invalidValuesNameTheKeyAndWhatWasExpected() {
    assertThatThrownBy(() -> of(Map.of("http.port", 70000)))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 't': http.port: expected a port number in [0, 65535]");
    assertThatThrownBy(() -> of(Map.of("alerts.stall", "soon")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("alerts.stall: expected a duration");
    assertThatThrownBy(() -> of(Map.of("alerts.backlog", -1)))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("alerts.backlog: expected a message count >= 0");
    assertThatThrownBy(() -> of(Map.of("log.level", "LOUD")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("log.level: expected one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
    assertThatThrownBy(() -> of(Map.of("log.format", "xml")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("log.format: expected text or json");
    assertThatThrownBy(() -> of(Map.of("plugins.dir", " ")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("plugins.dir: expected a directory path");
  }
}
