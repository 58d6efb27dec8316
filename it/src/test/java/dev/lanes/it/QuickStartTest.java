package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** README's first Quick start command works as written, and so does the seeded memory demo. */
class QuickStartTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theQuickStartCommandPublishesIntoTheLocalQueueAndHandlesEverythingInOrder()
      throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    assertThat(readme).contains("bin/demo           # the main job");
    String output = run("bin/demo");
    assertThat(output)
        .contains("orders: stopped cleanly")
        .contains("received 5000, acked 5000")
        .contains("0 out of order");
  }

  @Test
  void theSeededDemoRunsOnTheMemoryTransport() throws Exception {
    String output = run("bin/runner --transport=memory --task demo");
    assertThat(output)
        .contains("demo: stopped cleanly")
        .contains("received 5000, acked 5000")
        .contains("0 out of order");
  }

  private static String run(String command) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", command)
            .directory(ROOT.toFile())
            .redirectErrorStream(true);
    pb.environment().put("LANES_RUNNER_JAR", RunnerProcess.JAR.toString()); // built by this reactor
    Process process = pb.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
