package dev.lanes.dispatch;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.testing.Messages;
import dev.lanes.testing.RecordingAcknowledger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DispatcherRoutingTest {

  /** Sends each message through a fresh dispatcher and returns the lane its handler ran on. */
  private static List<Integer> lanesOf(Map<String, ?> overrides, Message... messages) {
    try (DispatcherHarness h = DispatcherHarness.acking(overrides)) {
      List<RecordingAcknowledger> acks = new ArrayList<>();
      for (Message message : messages) {
        acks.add(h.send(message));
      }
      eventually().until(() -> acks.stream().allMatch(RecordingAcknowledger::isSettled));
      acks.forEach(a -> assertThat(a.single().kind()).isEqualTo("ack"));
      List<Integer> lanes = new ArrayList<>();
      for (Message message : messages) {
        lanes.add(
            h.calls().stream()
                .filter(c -> c.message().id().equals(message.id()))
                .findFirst()
                .orElseThrow()
                .lane());
      }
      return lanes;
    }
  }

  private static Map<String, Object> by(String deliverBy) {
    return Map.of("consumerNum", 10, "deliverBy", deliverBy);
  }

  @Test
  void routesANestedOrderIdToLaneValueModLaneCount() {
    assertThat(lanesOf(by("order_id"), Messages.json("{\"data\":{\"order_id\":35432}}")))
        .containsExactly(2);
  }

  @Test
  void runsHandlersOnNamedLaneThreads() {
    List<String> threads = new ArrayList<>();
    try (DispatcherHarness h =
        new DispatcherHarness(
            by("order_id"),
            m -> {
              synchronized (threads) {
                threads.add(Thread.currentThread().getName());
              }
              return Outcome.ack();
            })) {
      RecordingAcknowledger ack = h.send(Messages.order(35432, 0));
      eventually().until(ack::isSettled);
    }
    assertThat(threads).containsExactly("lanes-dispatch-lane-2");
  }

  @Test
  void prefersTheTopLevelFieldOverTheOneUnderData() {
    assertThat(
            lanesOf(
                by("order_id"),
                Messages.json("{\"order_id\":7,\"data\":{\"order_id\":35432}}"),
                Messages.json("{\"data\":{\"order_id\":35432},\"order_id\":8}")))
        .containsExactly(7, 8);
  }

  @Test
  void routesByADottedPath() {
    assertThat(
            lanesOf(
                by("customer.id"),
                Messages.json("{\"customer\":{\"id\":13}}"),
                Messages.json("{\"data\":{\"customer\":{\"id\":24}}}")))
        .containsExactly(3, 4);
  }

  @Test
  void routesByTheBrokerKey() {
    assertThat(lanesOf(by("key"), Messages.keyed("35432"), Messages.keyed("-3")))
        .containsExactly(2, 7);
  }

  @Test
  void routesByAHeader() {
    assertThat(
            lanesOf(
                by("header:tenant"),
                Messages.withHeader("tenant", "35432"),
                Messages.withHeader("tenant", "19")))
        .containsExactly(2, 9);
  }

  @Test
  void routesNegativeIntegersWithFloorMod() {
    assertThat(lanesOf(by("order_id"), Messages.order(-3, 0), Messages.order(-35432, 0)))
        .containsExactly(7, 8);
  }

  @Test
  void routesStringsOfDigitsLikeTheIntegerTheySpell() {
    assertThat(
            lanesOf(
                by("order_id"),
                Messages.json("{\"order_id\":\"35432\"}"),
                Messages.json("{\"order_id\":\"-3\"}")))
        .containsExactly(2, 7);
  }

  @Test
  void routesAnyOtherStringToOneStableLane() {
    Message[] same = new Message[5];
    for (int i = 0; i < same.length; i++) {
      same[i] = Messages.json("{\"order_id\":\"ABC-1\",\"seq\":" + i + "}");
    }
    List<Integer> lanes = lanesOf(by("order_id"), same);
    assertThat(new HashSet<>(lanes)).containsExactly(LaneRouter.laneOf("ABC-1", 10));
  }

  @Test
  void spreadsDifferentStringsOverTheLanes() {
    Message[] messages = new Message[60];
    for (int i = 0; i < messages.length; i++) {
      messages[i] = Messages.json("{\"order_id\":\"acct-" + i + "\"}");
    }
    List<Integer> lanes = lanesOf(by("order_id"), messages);
    for (int i = 0; i < messages.length; i++) {
      assertThat(lanes.get(i)).isEqualTo(LaneRouter.laneOf("acct-" + i, 10));
    }
    assertThat(new HashSet<>(lanes)).hasSizeGreaterThanOrEqualTo(8);
  }

  @Test
  void sendsMessagesWithoutAKeyToTheLeastLoadedLane() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("consumerNum", 3, "deliverBy", "order_id"),
            m -> {
              if (m.field("order_id").isPresent()) {
                release.await();
              }
              return Outcome.ack();
            })) {
      // lane 0: one running + two queued; lane 1: one running + one queued; lane 2: idle
      h.send(Messages.order(0, 0));
      h.send(Messages.order(1, 0));
      eventually()
          .until(
              () ->
                  h.calls().size() == 0
                      && h.dispatcher.depth(0) == 0
                      && h.dispatcher.depth(1) == 0);
      h.send(Messages.order(0, 1));
      h.send(Messages.order(0, 2));
      h.send(Messages.order(1, 1));
      assertThat(new int[] {h.dispatcher.depth(0), h.dispatcher.depth(1), h.dispatcher.depth(2)})
          .containsExactly(2, 1, 0);

      List<Message> keyless =
          List.of(
              Messages.json("{\"other\":1}"),
              Messages.json("not json"),
              Messages.json("{\"order_id\":null}"),
              Messages.json("{\"order_id\":{\"nested\":1}}"));
      for (Message message : keyless) {
        RecordingAcknowledger ack = h.send(message);
        eventually().until(ack::isSettled);
      }
      assertThat(h.lanes()).containsExactly(2, 2, 2, 2);
      release.countDown();
      eventually().until(() -> h.calls().size() == 9);
    }
  }

  @Test
  void sendsKeylessMessagesToIdleLanesRatherThanBehindABusyHandler() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Set<Integer> running = ConcurrentHashMap.newKeySet();
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("consumerNum", 4, "deliverBy", ""),
            m -> {
              running.add(m.field("seq").map(s -> ((Long) s).intValue()).orElseThrow());
              release.await();
              return Outcome.ack();
            })) {
      for (int seq = 0; seq < 4; seq++) {
        h.send(Messages.order(seq, seq));
        int started = seq + 1;
        eventually().atMost(Duration.ofSeconds(1)).until(() -> running.size() == started);
      }
      assertThat(running).containsExactlyInAnyOrder(0, 1, 2, 3);
      release.countDown();
      eventually().until(() -> h.calls().size() == 4);
      assertThat(h.lanes()).containsExactlyInAnyOrder(0, 1, 2, 3);
    }
  }

  @Test
  void keepsTheOrderOfEachKeyAndItsLane() {
    int keys = 6;
    int perKey = 30;
    Map<Long, List<Integer>> seqs = new HashMap<>();
    Map<Long, Set<Integer>> lanes = new HashMap<>();
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("consumerNum", 4, "deliverBy", "order_id"),
            m -> {
              TimeUnit.MICROSECONDS.sleep(200);
              return Outcome.ack();
            })) {
      for (int seq = 0; seq < perKey; seq++) {
        for (long key = 0; key < keys; key++) {
          h.send(Messages.order(key, seq));
        }
      }
      eventually().until(() -> h.calls().size() == keys * perKey);
      for (DispatcherHarness.Call call : h.calls()) {
        long key = (Long) call.message().field("order_id").orElseThrow();
        seqs.computeIfAbsent(key, k -> new ArrayList<>())
            .add(((Long) call.message().field("seq").orElseThrow()).intValue());
        lanes.computeIfAbsent(key, k -> new HashSet<>()).add(call.lane());
      }
    }
    List<Integer> inOrder = java.util.stream.IntStream.range(0, perKey).boxed().toList();
    for (long key = 0; key < keys; key++) {
      assertThat(seqs.get(key)).as("key %d", key).isEqualTo(inOrder);
      assertThat(lanes.get(key)).as("key %d", key).containsExactly((int) (key % 4));
    }
  }
}
