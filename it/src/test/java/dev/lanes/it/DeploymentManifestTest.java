package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runner.service.RunnerSettings;
import dev.lanes.spi.TaskConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Kubernetes manifest's task file is valid and fits its termination grace period. */
class DeploymentManifestTest {

  private static final Path MANIFEST = Path.of("..", "deploy", "kubernetes", "lanes-runner.yaml");

  @Test
  void embeddedTaskFileIsValidAndDrainsWithinTheGracePeriod() throws Exception {
    List<String> lines = Files.readAllLines(MANIFEST);
    Config file = ConfigFactory.parseString(literalBlock(lines, "production.conf: |")).resolve();
    TaskConfig task = TaskConfigLoader.load(file, MANIFEST.toString(), "my_business", null);

    int grace = Integer.parseInt(valueOf(lines, "terminationGracePeriodSeconds:"));
    assertThat(task.shutdownTimeout()).isLessThan(Duration.ofSeconds(grace));
    assertThat(task.config().getString("http.host")).isEqualTo("0.0.0.0");
    assertThat(RunnerSettings.of(task).http().publish().enabled())
        .as("no write path on an address the cluster reaches")
        .isFalse();
    assertThat(task.config().getInt("http.port"))
        .isEqualTo(Integer.parseInt(valueOf(lines, "prometheus.io/port:").replace("\"", "")));
    assertThat(String.join("\n", lines))
        .contains("path: /health/live")
        .contains("path: /health/ready");
  }

  /** The lines of a YAML literal block scalar after {@code header}, de-indented. */
  private static String literalBlock(List<String> lines, String header) {
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).trim().equals(header)) {
        start = i + 1;
        break;
      }
    }
    assertThat(start).as("block %s", header).isPositive();
    int indent = lines.get(start).length() - lines.get(start).stripLeading().length();
    List<String> block = new ArrayList<>();
    for (int i = start; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.isBlank() && line.length() - line.stripLeading().length() < indent) {
        break;
      }
      block.add(line.length() >= indent ? line.substring(indent) : "");
    }
    return String.join("\n", block);
  }

  private static String valueOf(List<String> lines, String key) {
    return lines.stream()
        .map(String::trim)
        .filter(l -> l.startsWith(key))
        .findFirst()
        .map(l -> l.substring(key.length()).trim())
        .orElseThrow(() -> new AssertionError("no " + key));
  }
}
