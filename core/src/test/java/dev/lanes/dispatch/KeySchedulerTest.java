package dev.lanes.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeySchedulerTest {

  private final KeyScheduler scheduler = new KeyScheduler();

  private Envelope add(Object key) {
    Envelope envelope = new Envelope(null, key);
    scheduler.add(envelope);
    return envelope;
  }

  @Test
  void handsOutOneMessageOfAKeyAtATimeInArrivalOrder() {
    Envelope a1 = add("a");
    Envelope a2 = add("a");
    assertThat(scheduler.poll()).isSameAs(a1);
    assertThat(scheduler.poll()).as("a is in flight").isNull();
    scheduler.done(a1);
    assertThat(scheduler.poll()).isSameAs(a2);
    assertThat(scheduler.queued()).isZero();
  }

  @Test
  void keysTakeTurns() {
    Envelope a1 = add("a");
    Envelope a2 = add("a");
    Envelope b1 = add("b");
    Envelope c1 = add("c");
    assertThat(scheduler.poll()).isSameAs(a1);
    scheduler.done(a1); // a goes behind b and c
    assertThat(List.of(scheduler.poll(), scheduler.poll(), scheduler.poll()))
        .containsExactly(b1, c1, a2);
  }

  @Test
  void messagesWithoutAKeyAreEachReadyAtOnce() {
    Envelope first = add(null);
    Envelope second = add(null);
    assertThat(scheduler.poll()).isSameAs(first);
    assertThat(scheduler.poll()).as("no key: nothing to wait for").isSameAs(second);
  }

  @Test
  void aForgottenKeyDropsItsQueuedMessages() {
    Envelope head = add("a");
    add("a");
    add("a");
    add("b");
    assertThat(scheduler.poll()).isSameAs(head);
    assertThat(scheduler.forget(head)).isEqualTo(2);
    assertThat(scheduler.queued()).isEqualTo(1);
    assertThat(scheduler.poll().key).isEqualTo("b");
  }

  @Test
  void drainingTakesEverythingQueuedAndAKeyInFlightStaysInFlight() {
    Envelope a1 = add("a");
    add("a");
    add("b");
    add(null);
    assertThat(scheduler.poll()).isSameAs(a1);
    List<Envelope> drained = new ArrayList<>();
    scheduler.drainTo(drained);
    assertThat(drained).hasSize(3);
    assertThat(scheduler.queued()).isZero();
    Envelope a3 = add("a");
    assertThat(scheduler.poll()).as("a is still in flight").isNull();
    scheduler.done(a1);
    assertThat(scheduler.poll()).isSameAs(a3);
  }

  @Test
  void stopsPollersOnceNothingIsQueued() throws Exception {
    Envelope a1 = add("a");
    add("a");
    scheduler.stop();
    assertThat(scheduler.poll(10, TimeUnit.MILLISECONDS)).isSameAs(a1);
    assertThat(scheduler.poll(10, TimeUnit.MILLISECONDS))
        .as("a's second message is queued behind a1: keep waiting")
        .isNull();
    scheduler.done(a1);
    assertThat(scheduler.poll(10, TimeUnit.MILLISECONDS)).isNotNull().isNotSameAs(Envelope.STOP);
    assertThat(scheduler.poll(10, TimeUnit.MILLISECONDS)).isSameAs(Envelope.STOP);
  }

  @Test
  void parkedRetriesCountAgainstTheBound() {
    add("a");
    add("b");
    scheduler.parkedRetriesChanged(3);
    assertThat(scheduler.held()).isEqualTo(5);
    scheduler.parkedRetriesChanged(-3);
    assertThat(scheduler.held()).isEqualTo(2);
  }
}
