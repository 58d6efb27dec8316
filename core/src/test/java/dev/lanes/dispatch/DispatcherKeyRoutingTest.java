package dev.lanes.dispatch;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.dispatch.DispatcherHarness.Call;
import dev.lanes.spi.StopMode;
import dev.lanes.testing.Messages;
import dev.lanes.testing.RecordingAcknowledger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code routing = key}: any idle thread takes any key with nothing in flight. */
class DispatcherKeyRoutingTest {

  private static Map<String, Object> keyed(int consumerNum, Object... more) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("consumerNum", consumerNum);
    settings.put("deliverBy", "order_id");
    settings.put("routing", "key");
    for (int i = 0; i < more.length; i += 2) {
      settings.put((String) more[i], more[i + 1]);
    }
    return settings;
  }

  private static long key(Message m) {
    return (Long) m.field("order_id").orElseThrow();
  }

  private static String label(Call call) {
    return key(call.message()) + "/" + call.message().field("seq").orElseThrow();
  }

  /** Key 0 takes 600 ms; key 2 shares its lane (2 mod 2 = 0) in lane mode, not in key mode. */
  private static long delayOfTheKeyBehindASlowOne(Map<String, Object> settings) {
    try (DispatcherHarness h =
        new DispatcherHarness(
            settings,
            m -> {
              if (key(m) == 0) {
                TimeUnit.MILLISECONDS.sleep(600);
              }
              return Outcome.ack();
            })) {
      h.send(Messages.order(0, 0));
      h.send(Messages.order(2, 0));
      eventually().until(() -> h.calls().size() == 2);
      Call slow = h.calls().stream().filter(c -> key(c.message()) == 0).findFirst().orElseThrow();
      Call other = h.calls().stream().filter(c -> key(c.message()) == 2).findFirst().orElseThrow();
      return TimeUnit.NANOSECONDS.toMillis(other.startNanos() - slow.startNanos());
    }
  }

  @Test
  void aSlowKeyDelaysTheKeysSharingItsLaneInLaneMode() {
    long delay = delayOfTheKeyBehindASlowOne(Map.of("consumerNum", 2, "deliverBy", "order_id"));
    assertThat(delay).as("ms key 2 waited behind key 0").isGreaterThanOrEqualTo(600);
  }

  @Test
  void aSlowKeyDelaysNoOtherKeyInKeyMode() {
    long delay = delayOfTheKeyBehindASlowOne(keyed(2));
    assertThat(delay).as("ms key 2 waited behind key 0").isLessThan(300);
  }

  @Test
  void keepsEachKeyInOrderOneAtATimeOnAnyThread() {
    Map<Long, AtomicInteger> running = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    try (DispatcherHarness h =
        new DispatcherHarness(
            keyed(4, "channelLength", 2),
            m -> {
              AtomicInteger now = running.computeIfAbsent(key(m), k -> new AtomicInteger());
              if (now.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
              }
              TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextInt(500));
              now.decrementAndGet();
              return Outcome.ack();
            })) {
      int keys = 12;
      int perKey = 25;
      for (int seq = 0; seq < perKey; seq++) {
        for (int k = 0; k < keys; k++) {
          h.send(Messages.order(k, seq));
        }
      }
      eventually().until(() -> h.calls().size() == keys * perKey);
      Map<Long, List<Long>> seqs = new HashMap<>();
      Map<Long, java.util.Set<Integer>> threads = new HashMap<>();
      for (Call call : h.calls()) {
        long k = key(call.message());
        seqs.computeIfAbsent(k, x -> new ArrayList<>())
            .add((Long) call.message().field("seq").orElseThrow());
        threads.computeIfAbsent(k, x -> new java.util.HashSet<>()).add(call.lane());
      }
      seqs.forEach((k, s) -> assertThat(s).as("order of key %d", k).isSorted().hasSize(perKey));
      assertThat(overlaps.get()).as("calls of one key running at once").isZero();
      assertThat(threads.values().stream().mapToInt(java.util.Set::size).max().orElse(0))
          .as("a key moves between threads")
          .isGreaterThan(1);
      assertThat(h.taskStats().inFlight()).isZero();
    }
  }

  @Test
  void keysTakeTurnsSoABusyKeyDoesNotStarveALateOne() throws Exception {
    Semaphore gate = new Semaphore(0);
    try (DispatcherHarness h =
        new DispatcherHarness(
            keyed(1),
            m -> {
              if (key(m) == 1 && m.field("seq").orElseThrow().equals(0L)) {
                gate.acquire();
              }
              return Outcome.ack();
            })) {
      h.send(Messages.order(1, 0));
      eventually().until(() -> h.dispatcher.buffered() == 0);
      for (int seq = 1; seq <= 20; seq++) {
        h.send(Messages.order(1, seq));
      }
      h.send(Messages.order(2, 0));
      gate.release();
      eventually().until(() -> h.calls().size() == 22);
      List<String> order = h.calls().stream().map(DispatcherKeyRoutingTest::label).toList();
      assertThat(order.subList(0, 3)).containsExactly("1/0", "2/0", "1/1");
    }
  }

  @Test
  void aParkedRetryHoldsOnlyItsOwnKeyAndFreesTheThread() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            keyed(1, "retry.parkLimit", "5s"),
            m -> {
              boolean head = key(m) == 7 && m.field("seq").orElseThrow().equals(0L);
              return head && m.attempt() == 1
                  ? Outcome.retry(Duration.ofMillis(400))
                  : Outcome.ack();
            })) {
      h.send(Messages.order(7, 0));
      eventually().until(() -> h.calls().size() == 1);
      h.send(Messages.order(7, 1));
      for (int seq = 0; seq < 5; seq++) {
        h.send(Messages.order(8, seq));
      }
      eventually().until(() -> h.calls().size() == 8);
      List<String> order = h.calls().stream().map(DispatcherKeyRoutingTest::label).toList();
      assertThat(order)
          .as("key 8 runs on the only thread while key 7's retry is parked")
          .containsExactly("7/0", "8/0", "8/1", "8/2", "8/3", "8/4", "7/0", "7/1");
      assertThat(h.calls().get(6).message().attempt()).isEqualTo(2);
    }
  }

  @Test
  void pausesWhenTheTaskHoldsConsumerNumTimesChannelLengthAndResumesAtHalf() throws Exception {
    Semaphore gate = new Semaphore(0);
    try (DispatcherHarness h =
        new DispatcherHarness(
            keyed(2, "channelLength", 2),
            m -> {
              gate.acquire();
              return Outcome.ack();
            })) {
      h.send(Messages.order(0, 0));
      h.send(Messages.order(1, 0));
      eventually().until(() -> h.dispatcher.buffered() == 0);
      h.send(Messages.order(0, 1));
      h.send(Messages.order(0, 2));
      h.send(Messages.order(1, 1));
      assertThat(h.source.pauses()).as("3 of 4 buffered").isZero();
      h.send(Messages.order(1, 2));
      assertThat(h.dispatcher.buffered()).isEqualTo(4);
      assertThat(h.source.pauses()).as("2 threads x channelLength 2 buffered").isEqualTo(1);

      gate.release(1); // one finishes, its key's next starts: 3 buffered, above half
      eventually().until(() -> h.dispatcher.buffered() == 3);
      assertThat(h.source.resumes()).isZero();
      gate.release(1);
      eventually().until(() -> h.source.resumes() == 1);
      assertThat(h.dispatcher.buffered()).isEqualTo(2);
      gate.release(100);
      eventually().until(() -> h.calls().size() == 6);
      assertThat(h.flow.stats().stallsResolved()).isZero();
    }
  }

  @Test
  void messagesWithoutAKeyRunOnAnyIdleThreadAtOnce() throws Exception {
    CountDownLatch together = new CountDownLatch(3);
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("consumerNum", 3, "routing", "key"),
            m -> {
              together.countDown();
              return together.await(5, TimeUnit.SECONDS) ? Outcome.ack() : Outcome.reject("alone");
            })) {
      for (int i = 0; i < 3; i++) {
        h.send(Messages.order(1, i)); // deliverBy is empty: no key
      }
      eventually().until(() -> h.calls().size() == 3);
      assertThat(h.calls()).extracting(Call::result).containsOnly("Ack");
      assertThat(h.lanes()).doesNotHaveDuplicates();
    }
  }

  @Test
  void aDrainHandlesEverythingBufferedInKeyOrder() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            keyed(2),
            m -> {
              TimeUnit.MILLISECONDS.sleep(5);
              return Outcome.ack();
            })) {
      List<RecordingAcknowledger> acks = new ArrayList<>();
      for (int seq = 0; seq < 10; seq++) {
        for (int k = 0; k < 3; k++) {
          acks.add(h.send(Messages.order(k, seq)));
        }
      }
      assertThat(h.drain(10_000)).as("abandoned").isZero();
      assertThat(acks).allMatch(RecordingAcknowledger::isSettled);
      assertThat(h.calls()).hasSize(30);
    }
  }

  @Test
  void aFinishRunningStopReleasesWhatHasNotStarted() throws Exception {
    CountDownLatch started = new CountDownLatch(2);
    try (DispatcherHarness h =
        new DispatcherHarness(
            keyed(2),
            m -> {
              started.countDown();
              TimeUnit.MILLISECONDS.sleep(200);
              return Outcome.ack();
            })) {
      for (int seq = 0; seq < 5; seq++) {
        for (int k = 0; k < 3; k++) {
          h.send(Messages.order(k, seq));
        }
      }
      started.await();
      Dispatcher.Drained drained =
          h.dispatcher.drain(
              System.nanoTime() + TimeUnit.SECONDS.toNanos(5), StopMode.FINISH_RUNNING);
      assertThat(drained.abandoned()).isZero();
      assertThat(drained.finished()).as("%s", drained).isEqualTo(2);
      assertThat(drained.released()).as("%s", drained).isEqualTo(13);
      assertThat(h.calls()).hasSize(2);
    }
  }

  @Test
  void aParkedRetryDueAfterTheDeadlineGoesBackWithItsKeyLeftUnsettled() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            keyed(2, "retry.parkLimit", "30s"),
            m ->
                key(m) == 7 && m.attempt() == 1
                    ? Outcome.retry(Duration.ofSeconds(20))
                    : Outcome.ack())) {
      RecordingAcknowledger head = h.send(Messages.order(7, 0));
      eventually().until(() -> h.calls().size() == 1);
      RecordingAcknowledger follower = h.send(Messages.order(7, 1));
      RecordingAcknowledger other = h.send(Messages.order(8, 0));
      eventually().until(other::isSettled);
      long began = System.nanoTime();
      int abandoned = h.drain(3_000);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began))
          .as("the drain does not wait for a retry due after its deadline")
          .isLessThan(2_000);
      assertThat(head.single().kind()).isEqualTo("retry");
      assertThat(follower.isSettled()).as("7/1 must not overtake 7/0").isFalse();
      assertThat(abandoned).isEqualTo(1);
    }
  }
}
