package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The local queue: published with {@code runner publish}, Lanes' own client, as it has no other.
 */
class RunnerOnLocalTest extends RunnerOnBrokerTest {

  @Override
  String transport() {
    return "local";
  }

  @Override
  String destination(String name) {
    return "local { dataDir = \"" + dir.resolve("data") + "\", queue = " + name + " }";
  }

  @Override
  void publishForeign(String name, List<String> events) throws Exception {
    Path tasks = dir.resolve("publish.conf");
    Files.writeString(tasks, "publish { transport = local, " + destination(name) + " }\n");
    Path input = dir.resolve("publish-input.jsonl");
    Files.write(input, events.stream().map(e -> "{\"content\": " + e + "}").toList());
    try (RunnerProcess publish =
        RunnerProcess.startNamed(
            dir, "publish", input, "publish", "--task", "publish", "--config", tasks.toString())) {
      assertThat(publish.waitFor(Duration.ofSeconds(60))).as(publish.output()).isZero();
    }
  }
}
