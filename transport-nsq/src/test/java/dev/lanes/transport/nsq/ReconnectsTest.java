package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReconnectsTest {

  private static final String NSQD = "10.0.0.5:4150";

  private final Reconnects reconnects = new Reconnects(1);

  @Test
  void aConnectionStillOpenARoundAfterItOpenedAfterALossCountsOnce() {
    NsqConnection first = opened(NSQD);
    reconnects.checking();
    reconnects.closed(lost(first));
    opened(NSQD);
    assertThat(reconnects.count()).isZero();

    reconnects.checking();
    reconnects.checking();
    assertThat(reconnects.count()).isEqualTo(1);
  }

  @Test
  void failedConnectsWhileNsqdIsAwayCountNothing() {
    reconnects.checking();
    reconnects.closed(lost(opened(NSQD)));
    for (int i = 0; i < 3; i++) {
      reconnects.checking();
      reconnects.closed(lost(opened(NSQD))); // refused: closed within its own round
    }
    reconnects.checking();
    assertThat(reconnects.count()).isZero();
  }

  @Test
  void aConnectionThatDeliveredCountsEvenWhenLostBeforeTheNextRound() {
    NsqConnection first = opened(NSQD);
    reconnects.checking();
    reconnects.closed(lost(first));
    NsqConnection second = opened(NSQD);
    second.delivering();
    reconnects.closed(lost(second));
    assertThat(reconnects.count()).isEqualTo(1);

    opened(NSQD);
    reconnects.checking();
    reconnects.checking();
    assertThat(reconnects.count()).as("second's loss, re-established too").isEqualTo(2);
  }

  @Test
  void theFirstConnectionToAnNsqdAndClosesAtTheStopAreNoReconnects() {
    NsqConnection first = opened(NSQD);
    reconnects.checking();
    NsqConnection other = opened("10.0.0.6:4150");
    reconnects.checking();
    reconnects.checking();
    assertThat(reconnects.count()).isZero();

    reconnects.stopping();
    reconnects.closed(lost(first));
    opened(NSQD);
    reconnects.checking();
    reconnects.checking();
    assertThat(reconnects.count()).isZero();
    assertThat(other.isOpen()).isTrue();
  }

  @Test
  void withSeveralTopicsAConnectionIsConfirmedOnlyAFullRoundLater() {
    Reconnects partitions = new Reconnects(3);
    NsqConnection lostOne = new NsqConnection(NSQD);
    partitions.opened(lostOne);
    partitions.checking();
    partitions.checking();
    partitions.checking();
    partitions.checking(); // a full round after it opened: confirmed
    lostOne.closed();
    partitions.closed(lostOne);

    partitions.checking(); // the next round, topic 0: a new connection, then topic 1's check
    NsqConnection refused = new NsqConnection(NSQD);
    partitions.opened(refused);
    partitions.checking();
    assertThat(partitions.count()).as("not confirmed within its own round").isZero();
    refused.closed();
    partitions.closed(refused);
    partitions.checking();
    partitions.checking();
    assertThat(partitions.count()).isZero();
  }

  private NsqConnection opened(String host) {
    NsqConnection connection = new NsqConnection(host);
    reconnects.opened(connection);
    return connection;
  }

  private static NsqConnection lost(NsqConnection connection) {
    connection.closed();
    return connection;
  }
}
