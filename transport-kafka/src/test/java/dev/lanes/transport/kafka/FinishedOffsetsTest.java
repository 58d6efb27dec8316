package dev.lanes.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FinishedOffsetsTest {

  @Test
  void roundTripsRunsAndSingleOffsetsAboveTheCommittedOne() {
    List<Long> finished = List.of(105L, 106L, 107L, 110L, 200L, 201L);

    String metadata = FinishedOffsets.encode(100, finished);

    assertThat(metadata).startsWith(FinishedOffsets.PREFIX).hasSizeLessThan(60);
    assertThat(FinishedOffsets.decode(100, metadata)).containsExactlyElementsOf(finished);
  }

  @Test
  void writesNothingWhenThereIsNothingFinishedOrTooMuchToFit() {
    assertThat(FinishedOffsets.encode(0, List.of())).isEmpty();
    List<Long> scattered = new ArrayList<>();
    for (long offset = 2; offset < 10_000; offset += 2) {
      scattered.add(offset);
    }
    assertThat(FinishedOffsets.encode(0, scattered)).isEmpty();
  }

  @Test
  void foreignOrBrokenMetadataSkipsNothing() {
    assertThat(FinishedOffsets.decode(5, null)).isEmpty();
    assertThat(FinishedOffsets.decode(5, "")).isEmpty();
    assertThat(FinishedOffsets.decode(5, "written by another client")).isEmpty();
    assertThat(FinishedOffsets.decode(5, FinishedOffsets.PREFIX + "x+")).isEmpty();
    assertThat(FinishedOffsets.decode(5, FinishedOffsets.PREFIX + "1+0,")).isEmpty();
  }
}
