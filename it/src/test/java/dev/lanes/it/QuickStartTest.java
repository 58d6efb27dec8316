package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** README's first Quick start command works as written, through bin/runner. */
class QuickStartTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theDemoCommandRunsTheDemoAndExitsZero() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String command = "bin/runner --transport=memory --task demo";
    assertThat(readme).contains(command);

    ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(ROOT.toFile())
        .redirectErrorStream(true);
    pb.environment().put("LANES_RUNNER_JAR", RunnerProcess.JAR.toString()); // built by this reactor
    Process process = pb.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("demo: stopped cleanly").contains("received 5000, acked 5000")
        .contains("0 out of order");
  }
}
