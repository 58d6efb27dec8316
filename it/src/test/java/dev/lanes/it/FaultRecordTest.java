package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.it.Recorded.Handled;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultRecordTest {

  @Test
  void countsALostEventAndARedeliveryThatKeepsFirstHandlingsInSequence() {
    List<Handled> recorded =
        List.of(
            new Handled(1, 1, 1),
            new Handled(1, 2, 1),
            new Handled(1, 2, 2), // redelivered after a crash: a duplicate, not a reorder
            new Handled(1, 3, 1),
            new Handled(2, 1, 1)); // key 2's seq 2 never handled

    FaultRecord record = FaultRecord.of("amqp", "test", recorded, 2, 3, 1, 100);

    assertThat(record.handled()).isEqualTo(4);
    assertThat(record.lost()).isEqualTo(2);
    assertThat(record.duplicates()).isEqualTo(1);
    assertThat(record.reorderedKeys()).isZero();
    assertThat(record.kept(true)).isFalse();
  }

  @Test
  void aKeysLaterEventFirstHandledBeforeAnEarlierOneIsAReorder() {
    List<Handled> recorded =
        List.of(
            new Handled(1, 1, 1),
            new Handled(1, 3, 1),
            new Handled(1, 2, 2),
            new Handled(2, 1, 1),
            new Handled(2, 2, 1));

    FaultRecord record = FaultRecord.of("nsq", "test", recorded, 2, 3, 0, 100);

    assertThat(record.reorderedKeys()).isEqualTo(1);
    assertThat(record.firstReorder()).isEqualTo("key 1 saw seq 3 before seq 2");
    assertThat(record.kept(true)).isFalse();
  }

  @Test
  void duplicatesOverTheTransportsBoundAreNotKept() {
    List<Handled> recorded =
        List.of(new Handled(1, 1, 1), new Handled(1, 1, 2), new Handled(1, 1, 3));

    FaultRecord record = FaultRecord.of("nsq", "test", recorded, 1, 1, 1, 100);

    assertThat(record.duplicates()).isEqualTo(2);
    assertThat(record.kept(false)).isFalse();
  }
}
