package dev.lanes.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.RetrySettings;
import dev.lanes.spi.TaskConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TaskConfigLoaderTest {

  private static final String UNSET = "LANES_TEST_VARIABLE_THAT_IS_NEVER_SET";

  @TempDir Path dir;

  private File write(String hocon) throws IOException {
    Path file = dir.resolve("development.conf");
    Files.writeString(file, hocon);
    return file.toFile();
  }

  private static TaskConfig load(File file, String task, String transportOverride) {
    return TaskConfigLoader.load(
        TaskConfigLoader.parseFile(file), file.toString(), task, transportOverride);
  }

  @Test
  void taskOverridesSystemWhichOverridesReferenceDefaults() throws IOException {
    File file =
        write(
            """
        system {
          transport = nsq
          consumerNum = 4
          channelLength = 64
          deliverBy = order_id
          retry { maxAttempts = 7, initialDelay = 2s }
        }
        my_business {
          handler = "com.acme.AccountUpdateHandler"
          consumerNum = 20
          retry { initialDelay = 3s }
          record.file = "/tmp/records"
        }
        """);
    TaskConfig task = load(file, "my_business", null);

    assertThat(task.name()).isEqualTo("my_business");
    assertThat(task.origin()).isEqualTo(file.toString());
    assertThat(task.handler()).isEqualTo("com.acme.AccountUpdateHandler");
    assertThat(task.consumerNum()).as("task over system").isEqualTo(20);
    assertThat(task.channelLength()).as("system over default").isEqualTo(64);
    assertThat(task.transport()).isEqualTo("nsq");
    assertThat(task.deliverBy()).isEqualTo("order_id");
    assertThat(task.handlerTimeout()).as("default").isEqualTo(Duration.ofSeconds(30));
    assertThat(task.shutdownTimeout()).as("default").isEqualTo(Duration.ofSeconds(25));
    // nested sections merge key by key across the three layers
    assertThat(task.retry())
        .isEqualTo(
            new RetrySettings(
                7, Duration.ofSeconds(3), 2.0, Duration.ofMinutes(5), 0.2, Duration.ofSeconds(30)));
    assertThat(task.config().getString("record.file")).isEqualTo("/tmp/records");
  }

  @Test
  void usesTheDefaultsAloneWhenTheFileHasNoSystemSection() throws IOException {
    File file = write("solo { handler = \"x.Solo\", transport = local }\n");
    TaskConfig task = load(file, "solo", null);
    assertThat(task.consumerNum()).isEqualTo(10);
    assertThat(task.channelLength()).isEqualTo(1024);
    assertThat(task.deliverBy()).isEmpty();
    assertThat(task.retry().maxAttempts()).isEqualTo(5);
  }

  @Test
  void aTaskFileWithoutTransportIsReadyFailedInOneLine() throws IOException {
    File file = write("system {\n  consumerNum = 2\n}\nsolo { handler = \"x.Solo\" }\n");
    assertThatThrownBy(() -> load(file, "solo", null))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessage(
            file
                + ": task 'solo': transport is not set; set transport = local (the embedded"
                + " durable queue), amqp, kafka or nsq in the task or in system, or give"
                + " --transport (memory keeps messages in this process only: tests and demos)");
    assertThat(load(file, "solo", "memory").transport())
        .as("--transport sets it")
        .isEqualTo("memory");
  }

  @Test
  void transportOverrideReplacesTheTransportOfTheFile() throws IOException {
    File file =
        write(
            """
        system { transport = nsq }
        from_system { }
        own { transport = kafka }
        """);
    assertThat(load(file, "from_system", null).transport()).isEqualTo("nsq");
    assertThat(load(file, "from_system", "memory").transport()).isEqualTo("memory");
    assertThat(load(file, "own", null).transport()).isEqualTo("kafka");
    assertThat(load(file, "own", "memory").transport()).isEqualTo("memory");
  }

  @Test
  void anUnknownTaskListsTheTasksOfTheFile() throws IOException {
    File file =
        write(
            """
        system { consumerNum = 2 }
        beta { handler = "x.B" }
        alpha { handler = "x.A" }
        version = 3
        """);
    Config parsed = TaskConfigLoader.parseFile(file);
    assertThat(TaskConfigLoader.taskNames(parsed)).containsExactly("alpha", "beta");
    for (String wrong : new String[] {"gamma", "system", "version"}) {
      assertThatThrownBy(() -> TaskConfigLoader.load(parsed, file.toString(), wrong, null))
          .isInstanceOf(ReadyFailedException.class)
          .hasMessage(file + ": unknown task '" + wrong + "'; tasks in this file: [alpha, beta]");
    }
  }

  @Test
  void aMissingFileIsReadyFailedNamingIt() {
    File missing = dir.resolve("nope.conf").toFile();
    assertThatThrownBy(() -> TaskConfigLoader.parseFile(missing))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("not found");
  }

  @Test
  void unparsableHoconIsReadyFailedNamingTheFile() throws IOException {
    File file = write("my_business {\n  consumerNum = \n");
    assertThatThrownBy(() -> TaskConfigLoader.parseFile(file))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageStartingWith("invalid task file " + file + ": line 3: ")
        .satisfies(
            e ->
                assertThat(e.getMessage().split(file.toString(), -1))
                    .as("file named once")
                    .hasSize(2));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      consumerNum = 0              | consumerNum    | expected an integer >= 1, got 0
      consumerNum = "ten"          | consumerNum    | expected an integer (line 5: consumerNum has type STRING rather than NUMBER)
      channelLength = -5           | channelLength  | expected an integer >= 1, got -5
      retry.jitter = 1.5           | retry.jitter   | expected a fraction in [0, 1), got 1.5
      retry.multiplier = 0.5       | retry.multiplier | expected a number >= 1.0, got 0.5
      retry.maxAttempts = 0        | retry.maxAttempts | expected an integer >= 1, got 0
      retry.parkLimit = -1s        | retry.parkLimit | expected a duration >= 0
      handlerTimeout = -1s         | handlerTimeout | expected a duration > 0
      handlerTimeout = "soon"      | handlerTimeout | expected a duration such as 500ms or 30s
      shutdownTimeout = 0s         | shutdownTimeout | expected a duration > 0
      deliverBy = "header:"        | deliverBy      | expected a header name after 'header:'
      breaker.failureRate = 0      | breaker.failureRate | expected a percentage in (0, 100], got 0.0
      breaker.window = 1500ms      | breaker.window | expected whole seconds such as 60s, got PT1.5S
      breaker.minimumCalls = 0     | breaker.minimumCalls | expected an integer >= 1, got 0
      breaker.openFor = 0s         | breaker.openFor | expected a duration >= 1ms, got PT0S
      breaker.probes = 0           | breaker.probes | expected an integer >= 1, got 0
      breaker.enabled = maybe      | breaker.enabled | expected true or false
      """)
  void anInvalidValueNamesFileLineTaskKeyAndExpectation(String line, String key, String expected)
      throws IOException {
    File file = write("system {\n  consumerNum = 2\n}\nmy_business {\n  " + line + "\n}\n");
    assertThatThrownBy(() -> load(file, "my_business", null))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageStartingWith(file + ":5: task 'my_business': " + key + ": " + expected);
  }

  @Test
  void anInvalidValueFromTheSystemSectionNamesItsLine() throws IOException {
    File file = write("system {\n  transport = nsq\n  consumerNum = 0\n}\nmy_business { }\n");
    assertThatThrownBy(() -> load(file, "my_business", null))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessage(file + ":3: task 'my_business': consumerNum: expected an integer >= 1, got 0");
  }

  @Test
  void aValueOfTheWrongShapeNamesFileTaskAndKey() throws IOException {
    File file = write("my_business {\n  retry = 5\n}\n");
    assertThatThrownBy(() -> load(file, "my_business", null))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessage(
            file + ":2: task 'my_business': retry: expected a section ({ ... }), got a number");
  }

  @Test
  void anInvalidOverrideWithoutAFileNamesTaskKeyAndExpectation() {
    assertThatThrownBy(() -> TaskConfigLoader.forTask("t", Map.of("consumerNum", 0)))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessage("task t: task 't': consumerNum: expected an integer >= 1, got 0");
  }

  @Test
  void anOptionalEnvironmentSubstitutionFallsBackWhenTheVariableIsUnset() throws IOException {
    assertThat(System.getenv(UNSET)).as("precondition: %s is unset", UNSET).isNull();
    File file =
        write(
            """
        system {
          transport = local
          channelLength = 77
          consumerNum = 3
          consumerNum = ${?%1$s}
        }
        my_business {
          password = "fallback"
          password = ${?%1$s}
          channelLength = ${?%1$s}
        }
        """
                .formatted(UNSET));
    TaskConfig task = load(file, "my_business", null);
    assertThat(task.consumerNum()).isEqualTo(3);
    assertThat(task.config().getString("password")).isEqualTo("fallback");
    assertThat(task.channelLength()).as("unset in the task: the system value").isEqualTo(77);
  }

  @Test
  void anOptionalEnvironmentSubstitutionTakesTheVariableWhenSet() throws IOException {
    String path = System.getenv("PATH");
    assertThat(path).as("precondition: PATH is set").isNotNull();
    File file =
        write(
            "my_business {\n  transport = local\n  secret = \"fallback\"\n  secret = ${?PATH}\n}\n");
    assertThat(load(file, "my_business", null).config().getString("secret")).isEqualTo(path);
  }

  @Test
  void forTaskAppliesOverridesOverTheDefaults() {
    TaskConfig task =
        TaskConfigLoader.forTask(
            "t", Map.of("consumerNum", 4, "memory.queue", "q1", "retry.maxAttempts", 2));
    assertThat(task.consumerNum()).isEqualTo(4);
    assertThat(task.retry().maxAttempts()).isEqualTo(2);
    assertThat(task.retry().initialDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(task.section("memory").getString("queue")).isEqualTo("q1");
    assertThat(task.origin()).isEqualTo("task t");
  }

  @Test
  void aMissingTransportSectionIsReadyFailedNamingTheKey() {
    TaskConfig task = TaskConfigLoader.forTask("t", Map.of());
    assertThatThrownBy(() -> task.section("kafka"))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageStartingWith("task t: task 't': kafka: expected an object { ... }");
  }

  @Test
  void aTaskConfigPrintsNoValueOfItsConfigSoNoSecretReachesALog() {
    TaskConfig task =
        TaskConfigLoader.forTask(
            "t", Map.of("amqp.uri", "amqp://lanes:s3cr3t-XYZ@rabbit", "consumerNum", 3));

    assertThat(task.toString()).contains("name=t", "consumerNum=3").doesNotContain("s3cr3t-XYZ");
  }
}
