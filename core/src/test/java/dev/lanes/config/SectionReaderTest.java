package dev.lanes.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.TaskConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SectionReaderTest {

  private static final String FILE = "conf/app.conf";

  /** A task read from a file whose line 3 holds {@code broker.<line3>}. */
  private static TaskConfig task(String line3) {
    return TaskConfigLoader.load(
        ConfigFactory.parseString("orders {\n  transport = memory\n  broker." + line3 + "\n}\n"),
        FILE,
        "orders",
        null);
  }

  private static SectionReader broker(String line3) {
    return SectionReader.of(task(line3), "broker");
  }

  @Test
  void aValueOutOfBoundsNamesFileLineTaskKeyExpectationAndValue() {
    assertThatThrownBy(() -> broker("prefetch = 0").integer("prefetch", 1, 100))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessage(
            FILE + ":3: task 'orders': broker.prefetch: expected an integer from 1 to 100, got 0");
    assertThatThrownBy(() -> broker("size = -2").atLeast("size", 1))
        .hasMessage(FILE + ":3: task 'orders': broker.size: expected an integer >= 1, got -2");
    assertThatThrownBy(() -> broker("wait = 0s").positiveDuration("wait"))
        .hasMessage(FILE + ":3: task 'orders': broker.wait: expected a duration > 0, got PT0S");
    assertThatThrownBy(() -> broker("wait = 500ms").duration("wait", Duration.ofSeconds(1)))
        .hasMessage(FILE + ":3: task 'orders': broker.wait: expected a duration >= 1s, got PT0.5S");
  }

  @Test
  void aValueOfTheWrongTypeNamesTheKeyAndWhatTypesafeConfigSaid() {
    assertThatThrownBy(() -> broker("prefetch = lots").atLeast("prefetch", 1))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageStartingWith(FILE + ":3: task 'orders': broker.prefetch: expected an integer (")
        .hasMessageContaining("STRING rather than NUMBER");
    assertThatThrownBy(() -> broker("wait = soon").positiveDuration("wait"))
        .hasMessageStartingWith(
            FILE + ":3: task 'orders': broker.wait: expected a duration such as 500ms or 30s (");
    assertThatThrownBy(() -> broker("on = maybe").bool("on"))
        .hasMessageStartingWith(FILE + ":3: task 'orders': broker.on: expected true or false (");
  }

  @Test
  void aStringValueIsQuotedAndAValueLeftOutIsNotShown() {
    SectionReader broker = broker("name = \"a b\"");
    assertThat(broker.invalid("name", "a name without spaces", broker.text("name")))
        .hasMessage(
            FILE + ":3: task 'orders': broker.name: expected a name without spaces, got 'a b'");
    assertThat(broker.invalid("name", "a secret of 16 characters"))
        .hasMessage(FILE + ":3: task 'orders': broker.name: expected a secret of 16 characters");
  }

  @Test
  void aKeyNotSetInTheFileHasNoLine() {
    SectionReader broker = broker("size = 1");
    assertThatThrownBy(() -> broker.atLeast("missing", 1))
        .hasMessageStartingWith(FILE + ": task 'orders': broker.missing: expected an integer (");
    SectionReader root = SectionReader.root(task("size = 1"));
    assertThatThrownBy(() -> root.atLeast("consumerNum", 1000))
        .as("a default from reference.conf has no line of the task file")
        .hasMessage(
            FILE
                + ": task 'orders': consumerNum: expected an integer >= 1000, got "
                + root.atLeast("consumerNum", 1));
  }

  @Test
  void readsTypedValuesTrimmedAndInBounds() {
    SectionReader broker = broker("name = \"  q1 \"");
    assertThat(broker.text("name")).isEqualTo("q1");
    assertThat(SectionReader.root(task("x = 1")).positiveDuration("handlerTimeout")).isPositive();
  }

  @Test
  void aNameLeftEmptyIsTheTasksName() {
    assertThat(broker("queue = \"  \"").textOrTaskName("queue")).isEqualTo("orders");
    assertThat(broker("queue = \" q1 \"").textOrTaskName("queue")).isEqualTo("q1");
  }

  @Test
  void aMissingSectionIsReportedAsTheSection() {
    assertThatThrownBy(() -> SectionReader.of(task("x = 1"), "kafka"))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageStartingWith(FILE + ": task 'orders': kafka: expected an object { ... }");
  }
}
