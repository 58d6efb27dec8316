package dev.lanes.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AckTrackerTest {

  private static final int NO_PRESSURE = Integer.MAX_VALUE;
  private static final long NOW = 1_000_000_000L;

  private static AckTracker delivered(long from, long to) {
    AckTracker tracker = new AckTracker();
    for (long tag = from; tag <= to; tag++) {
      tracker.delivered(tag);
    }
    return tracker;
  }

  @Test
  void acksTheContiguousFinishedPrefixWithOneMultipleAck() {
    AckTracker tracker = delivered(1, 5);
    tracker.finished(2);
    tracker.finished(1);
    tracker.finished(3);

    AckTracker.Acks acks = tracker.take(false, NO_PRESSURE, NOW, 0);

    assertThat(acks.multipleUpTo()).isEqualTo(3);
    assertThat(acks.singles()).isEmpty();
    assertThat(tracker.unacked()).isEqualTo(2);
    assertThat(tracker.pending()).isZero();
  }

  @Test
  void neverAcksPastADeliveryWhoseHandlerHasNotFinished() {
    AckTracker tracker = delivered(1, 5);
    tracker.finished(2);
    tracker.finished(3);
    tracker.finished(5);

    AckTracker.Acks acks = tracker.take(false, NO_PRESSURE, NOW, 0);

    assertThat(acks.isEmpty()).isTrue();
    assertThat(tracker.pending()).isEqualTo(3);
    assertThat(tracker.unfinished()).isEqualTo(2);
  }

  @Test
  void acksFinishedTagsAboveAGapOneByOneWhenAskedForEverything() {
    AckTracker tracker = delivered(1, 6);
    tracker.finished(1);
    tracker.finished(3);
    tracker.finished(5);

    AckTracker.Acks acks = tracker.take(true, NO_PRESSURE, NOW, 0);

    assertThat(acks.multipleUpTo()).isEqualTo(1);
    assertThat(acks.singles()).containsExactly(3, 5);
    assertThat(tracker.unacked()).isEqualTo(3); // 2, 4, 6
    assertThat(tracker.take(true, NO_PRESSURE, NOW, 0).isEmpty()).isTrue();
  }

  @Test
  void acksAboveAGapUnderPressureSoASlowDeliveryDoesNotStallThePrefetchWindow() {
    AckTracker tracker = delivered(1, 10);
    for (long tag = 2; tag <= 5; tag++) {
      tracker.finished(tag);
    }
    assertThat(tracker.take(false, 5, NOW, 0).isEmpty()).isTrue();

    tracker.finished(6);
    AckTracker.Acks acks = tracker.take(false, 5, NOW, 0);

    assertThat(acks.multipleUpTo()).isZero();
    assertThat(acks.singles()).containsExactly(2, 3, 4, 5, 6);
  }

  @Test
  void waitsForAGapToLastBeforeAckingAboveItUnderPressure() {
    AckTracker tracker = delivered(1, 10);
    for (long tag = 2; tag <= 7; tag++) {
      tracker.finished(tag);
    }
    long stall = 80_000_000L;

    assertThat(tracker.take(false, 5, NOW, stall).isEmpty()).as("gap just seen").isTrue();
    assertThat(tracker.take(false, 5, NOW + stall - 1, stall).isEmpty()).isTrue();
    assertThat(tracker.take(false, 5, NOW + stall, stall).singles()).hasSize(6);

    tracker.finished(1); // the gap closes; a new one starts at 8
    tracker.finished(9);
    AckTracker.Acks acks = tracker.take(false, 1, NOW + stall + 1, stall);
    assertThat(acks.multipleUpTo()).isEqualTo(1);
    assertThat(acks.singles()).as("the gap at 8 is new").isEmpty();
  }

  @Test
  void aMultipleAckNeverEndsOnATagAlreadyAckedAlone() {
    AckTracker tracker = delivered(1, 4);
    tracker.finished(2);
    tracker.finished(3);
    assertThat(tracker.take(true, NO_PRESSURE, NOW, 0).singles()).containsExactly(2, 3);

    tracker.finished(1);
    AckTracker.Acks acks = tracker.take(false, NO_PRESSURE, NOW, 0);

    assertThat(acks.multipleUpTo()).isEqualTo(1); // tag 3 is no longer outstanding
    assertThat(acks.singles()).isEmpty();
    tracker.finished(4);
    assertThat(tracker.take(false, NO_PRESSURE, NOW, 0).multipleUpTo()).isEqualTo(4);
    assertThat(tracker.unacked()).isZero();
  }

  @Test
  void aTagSettledAloneIsNeverAckedButLetsThePrefixMoveOn() {
    AckTracker tracker = delivered(1, 3);
    tracker.finished(2);
    tracker.settledAlone(1);

    AckTracker.Acks acks = tracker.take(false, NO_PRESSURE, NOW, 0);

    assertThat(acks.multipleUpTo()).isEqualTo(2);
    assertThat(tracker.unacked()).isEqualTo(1);
  }

  @Test
  void aMultipleAckSkipsBackOverATrailingNackedTag() {
    AckTracker tracker = delivered(1, 3);
    tracker.finished(1);
    tracker.settledAlone(2);

    assertThat(tracker.take(false, NO_PRESSURE, NOW, 0).multipleUpTo()).isEqualTo(1);
  }

  @Test
  void aPrefixOfTagsAlreadySettledOneByOneNeedsNoMultipleAck() {
    AckTracker tracker = delivered(1, 3);
    tracker.finished(2);
    assertThat(tracker.take(true, NO_PRESSURE, NOW, 0).singles()).containsExactly(2);
    tracker.settledAlone(1);

    assertThat(tracker.take(true, NO_PRESSURE, NOW, 0).isEmpty()).isTrue();
    assertThat(tracker.unacked()).isEqualTo(1);
  }

  @Test
  void startsAtTheFirstTagOfItsChannelWhateverItsValue() {
    AckTracker tracker = delivered(257, 260);
    tracker.finished(257);
    tracker.finished(258);

    assertThat(tracker.take(false, NO_PRESSURE, NOW, 0).multipleUpTo()).isEqualTo(258);
    assertThat(tracker.unacked()).isEqualTo(2);
  }

  @Test
  void refusesToSettleATagTwiceOrOneNeverDelivered() {
    AckTracker tracker = delivered(1, 2);
    tracker.finished(1);

    assertThatThrownBy(() -> tracker.finished(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tracker.finished(3)).isInstanceOf(IllegalStateException.class);
    tracker.take(false, NO_PRESSURE, NOW, 0);
    assertThatThrownBy(() -> tracker.finished(1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void keepsUpWithAMillionDeliveriesFinishingOutOfOrder() {
    AckTracker tracker = new AckTracker();
    long acked = 0;
    for (long tag = 1; tag <= 1_000_000; tag += 4) {
      for (long t = tag; t < tag + 4; t++) {
        tracker.delivered(t);
      }
      tracker.finished(tag + 3);
      tracker.finished(tag + 1);
      tracker.finished(tag);
      tracker.finished(tag + 2);
      AckTracker.Acks acks = tracker.take(false, 128, NOW, 0);
      acked = Math.max(acked, acks.multipleUpTo());
    }
    assertThat(acked).isEqualTo(1_000_000);
    assertThat(tracker.unacked()).isZero();
  }
}
