package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.dispatch.TaskStats;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {

  @Test
  void aLineCarriesCountsRatesAndBacklog() {
    String line =
        ProgressDisplay.line(
            "orders", new TaskStats(120, 100, 3, 2, 0, 15), OptionalLong.of(42), 60, 55);
    assertThat(line)
        .isEqualTo(
            "orders: received 120 (60/s), handled 55/s, acked 100, retried 3,"
                + " rejected 2, in flight 15, backlog 42");
    assertThat(
            ProgressDisplay.line("o", new TaskStats(0, 0, 0, 0, 0, 0), OptionalLong.empty(), 0, 0))
        .endsWith("backlog n/a");
  }

  @Test
  void autoIsPlainWithoutAConsole() {
    // surefire runs tests without a console: progress must not redraw lines into a log file
    assertThat(ProgressDisplay.Mode.AUTO.resolve()).isEqualTo(ProgressDisplay.Mode.PLAIN);
    assertThat(ProgressDisplay.Mode.TTY.resolve()).isEqualTo(ProgressDisplay.Mode.TTY);
  }
}
