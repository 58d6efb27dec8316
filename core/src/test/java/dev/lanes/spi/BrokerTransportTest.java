package dev.lanes.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.testing.Tasks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BrokerTransportTest {

  /** The settings a test transport reads: the task's name and its {@code test.level}. */
  private record Settings(String task, int level) {
    static Settings read(TaskConfig task) {
      if (!task.config().hasPath("test.level")) {
        throw new ReadyFailedException("task '" + task.name() + "': test.level is missing");
      }
      return new Settings(task.name(), task.config().getInt("test.level"));
    }
  }

  /** A transport whose openers record the settings they were handed and open nothing. */
  private static final class Recording extends BrokerTransport<Settings> {
    private final List<String> opened;

    Recording(String name, String system, StopMode mode, Function<TaskConfig, Settings> settings) {
      this(name, system, mode, settings, new ArrayList<>());
    }

    private Recording(
        String name,
        String system,
        StopMode mode,
        Function<TaskConfig, Settings> settings,
        List<String> opened) {
      super(
          name,
          system,
          mode,
          settings,
          (context, read) -> {
            opened.add("source " + read);
            return null;
          },
          (context, read) -> {
            opened.add("publisher " + read);
            return null;
          });
      this.opened = opened;
    }
  }

  private static Recording recording() {
    return new Recording("test", "test", StopMode.DRAIN, Settings::read);
  }

  @Test
  void answersTheNameMessagingSystemAndStopModeItWasGiven() {
    Transport transport =
        new Recording("amqp", "rabbitmq", StopMode.FINISH_RUNNING, Settings::read);

    assertThat(transport.name()).isEqualTo("amqp");
    assertThat(transport.messagingSystem()).isEqualTo("rabbitmq");
    assertThat(transport.defaultStopMode()).isEqualTo(StopMode.FINISH_RUNNING);
  }

  @Test
  void refusesAMissingNameStopModeOrSettingsReader() {
    assertThatThrownBy(() -> new Recording(null, "nsq", StopMode.DRAIN, Settings::read))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Recording("nsq", "nsq", null, Settings::read))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Recording("nsq", "nsq", StopMode.DRAIN, null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void readsTheTasksCurrentSectionAtEveryOpenAndHandsItToTheOpener() {
    Recording transport = recording();

    transport.openSource(TransportContext.of(Tasks.task("orders", Map.of("test.level", 1))));
    transport.openPublisher(TransportContext.of(Tasks.task("orders", Map.of("test.level", 2))));

    assertThat(transport.opened)
        .containsExactly(
            "source Settings[task=orders, level=1]", "publisher Settings[task=orders, level=2]");
  }

  @Test
  void anInvalidSectionFailsTheOpenBeforeTheOpenerRuns() {
    Recording transport = recording();

    assertThatThrownBy(
            () -> transport.openSource(TransportContext.of(Tasks.task("orders", Map.of()))))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("test.level is missing");
    assertThat(transport.opened).isEmpty();
  }
}
