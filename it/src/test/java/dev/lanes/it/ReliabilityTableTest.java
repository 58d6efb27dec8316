package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReliabilityTableTest {

  @Test
  void readsBackTheMeasuredCellsOfATableItWrote() {
    ReliabilityTable.Cell measured =
        new ReliabilityTable.Cell("disk full", "local", "publish refused, 0 lost, 0 dup");
    ReliabilityTable.Cell other =
        new ReliabilityTable.Cell("SIGKILL mid-stream", "nsq", "0 lost, 14 dup, 40 reord, 3.1 s");

    List<ReliabilityTable.Cell> read =
        ReliabilityTable.cells(ReliabilityTable.table(List.of(measured, other)));

    assertThat(read).contains(measured, other);
    assertThat(read)
        .extracting(ReliabilityTable.Cell::text)
        .doesNotContain("n/a", "not yet measured");
  }
}
