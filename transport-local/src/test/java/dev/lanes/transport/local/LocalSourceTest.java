package dev.lanes.transport.local;

import static dev.lanes.transport.local.LocalTestSupport.message;
import static dev.lanes.transport.local.LocalTestSupport.queue;
import static dev.lanes.transport.local.LocalTestSupport.rows;
import static dev.lanes.transport.local.LocalTestSupport.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.api.Origin;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.LanesHeaders;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.Threads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local source against a real store file: claiming, settling, leases, pause and close. */
class LocalSourceTest {

  @TempDir Path dataDir;

  private final LocalTransport transport = new LocalTransport();
  private final List<Source> sources = new ArrayList<>();

  @AfterEach
  void closeSources() {
    sources.forEach(Source::close);
  }

  @Test
  void deliversWhatWasPublishedWithTheStoreIdAsMessageId() throws Exception {
    String q = queue("intact");
    Instant before = Instant.now();
    String id;
    try (LocalPublisher publisher = transport.openPublisher(task(dataDir, q))) {
      id = publisher.publish(message("k1", "{\"a\":1}", Map.of("h", "v")), Instant.EPOCH);
    }
    LocalTestSupport.Collector c = start(task(dataDir, q));
    Message m = c.next(5).message();
    assertThat(m.id()).isEqualTo(id);
    assertThat(m.key()).isEqualTo("k1");
    assertThat(m.payloadAsString()).isEqualTo("{\"a\":1}");
    assertThat(m.headers()).isEqualTo(Map.of("h", "v"));
    assertThat(m.attempt()).isEqualTo(1);
    assertThat(m.origin()).isEqualTo(new Origin(q, -1, Long.parseLong(id)));
    assertThat(m.timestamp()).isBetween(before.minusMillis(1), Instant.now());
  }

  @Test
  void ackDeletesTheMessage() throws Exception {
    String q = queue("ack");
    publish(q, 3);
    Source source = transport.openSource(task(dataDir, q));
    LocalTestSupport.Collector c = start(source);
    c.take(3, 5).forEach(d -> d.acknowledger().ack());
    source.flush();
    assertThat(rows(dataDir, q)).isZero();
  }

  @Test
  void retryRedeliversWithTheNextAttemptNotBeforeItsDelay() throws Exception {
    String q = queue("retry");
    publish(q, 1);
    LocalTestSupport.Collector c = start(task(dataDir, q));
    Delivery first = c.next(5);
    long retriedAt = System.nanoTime();
    first.acknowledger().retry(Duration.ofMillis(700), first.message().attempt() + 1);
    Delivery second = c.next(5);
    long gapMs = (System.nanoTime() - retriedAt) / 1_000_000;
    assertThat(second.message().attempt()).isEqualTo(2);
    assertThat(second.message().id()).isEqualTo(first.message().id());
    assertThat(gapMs).isBetween(700L, 1200L);
  }

  @Test
  void rejectMovesTheMessageToTheDeadLetterQueueWithReasonAndOrigin() throws Exception {
    String q = queue("reject");
    publish(q, 1);
    Source source = transport.openSource(task(dataDir, q));
    LocalTestSupport.Collector c = start(source);
    Delivery d = c.next(5);
    d.acknowledger().retry(Duration.ZERO, d.message().attempt() + 1);
    Delivery again = c.next(5);
    again.acknowledger().reject("no such account", again.message().attempt());
    source.flush();
    assertThat(rows(dataDir, q)).isZero();

    LocalTestSupport.Collector dead = start(task(dataDir, q + ".dlq"));
    Message m = dead.next(5).message();
    assertThat(m.payloadAsString()).isEqualTo("m0");
    assertThat(m.key()).isEqualTo("k0");
    assertThat(m.attempt()).isEqualTo(1);
    assertThat(m.headers())
        .containsEntry("n", "0")
        .containsEntry(LanesHeaders.REASON, "no such account")
        .containsEntry(LanesHeaders.ORIGINAL_DESTINATION, q)
        .containsEntry(LanesHeaders.ORIGINAL_ID, d.message().id())
        .containsEntry(LanesHeaders.ATTEMPT, "2");
  }

  @Test
  void aPublishFromThisJvmWakesAnIdleConsumerAtOnce() throws Exception {
    String q = queue("wake");
    LocalTestSupport.Collector c = start(task(dataDir, q, "pollInterval", "30s"));
    c.assertNone(200);
    try (LocalPublisher publisher = transport.openPublisher(task(dataDir, q))) {
      long start = System.nanoTime();
      publisher.publish(message("k", "now"));
      c.next(5);
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(200);
    }
  }

  @Test
  void aPublishThroughAnotherConnectionIsSeenWithinThePollInterval() throws Exception {
    // a second path to the same directory gets a store (connection) of its own, as another
    // process would: no in-JVM wake-up, only polling
    Path alias =
        Files.createSymbolicLink(dataDir.resolveSibling(dataDir.getFileName() + "-alias"), dataDir);
    try {
      String q = queue("elsewhere");
      LocalTestSupport.Collector c = start(task(dataDir, q, "pollInterval", "300ms"));
      c.assertNone(100);
      try (LocalPublisher publisher = transport.openPublisher(task(alias, q))) {
        long start = System.nanoTime();
        publisher.publish(message("k", "from elsewhere"));
        c.next(5);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(600);
      }
    } finally {
      Files.delete(alias);
    }
  }

  @Test
  void pauseStopsDeliveriesAtOnceAndResumeGoesOnInOrder() throws Exception {
    String q = queue("pause");
    publish(q, 20);
    Source source = transport.openSource(task(dataDir, q, "batchSize", 10));
    LocalTestSupport.Collector c = new LocalTestSupport.Collector();
    AtomicInteger accepted = new AtomicInteger();
    source.start(
        d -> {
          c.accept(d);
          if (accepted.incrementAndGet() == 3) {
            source.pause();
          }
        });
    sources.add(source);
    List<Delivery> firstThree = c.take(3, 5);
    c.assertNone(300);
    source.resume();
    List<Delivery> rest = c.take(17, 5);
    List<String> payloads = new ArrayList<>();
    firstThree.forEach(d -> payloads.add(d.message().payloadAsString()));
    rest.forEach(d -> payloads.add(d.message().payloadAsString()));
    assertThat(payloads).containsExactlyElementsOf(expectedPayloads(20));
  }

  @Test
  void closeGivesBackUnsettledMessagesForTheNextConsumerAtOnce() throws Exception {
    String q = queue("close");
    publish(q, 5);
    Source first = transport.openSource(task(dataDir, q, "visibilityTimeout", "60s"));
    List<Delivery> got = start(first).take(5, 5);
    got.get(0).acknowledger().ack();
    got.get(2).acknowledger().ack();
    first.stopReceiving();
    first.flush();
    first.close();

    LocalTestSupport.Collector second = start(task(dataDir, q));
    List<String> again = new ArrayList<>();
    second.take(3, 2).forEach(d -> again.add(d.message().payloadAsString()));
    assertThat(again).containsExactly("m1", "m3", "m4");
  }

  @Test
  void heldMessagesKeepTheirLeaseWhileTheConsumerLives() throws Exception {
    String q = queue("lease");
    publish(q, 1);
    Source holder =
        transport.openSource(task(dataDir, q, "visibilityTimeout", "1s", "pollInterval", "100ms"));
    LocalTestSupport.Collector c = start(holder);
    Delivery held = c.next(5);
    c.assertNone(2500); // past two lease lengths: renewed, so not claimed again
    assertThat(held.acknowledger().isStale()).isFalse();
    held.acknowledger().ack();
    holder.flush();
    assertThat(rows(dataDir, q)).isZero();
  }

  @Test
  void touchExtendsTheLeaseAtOnce() throws Exception {
    String q = queue("touch");
    publish(q, 1);
    Source source = transport.openSource(task(dataDir, q, "visibilityTimeout", "30s"));
    Delivery d = start(source).next(5);
    long before = visibleAt(d);
    Thread.sleep(20);
    d.acknowledger().touch();
    source.flush();
    assertThat(visibleAt(d)).isGreaterThanOrEqualTo(before + 20);
  }

  @Test
  void aClaimWhoseConsumerDiedIsTakenBackAtOnceByTheNextConsumer() throws Exception {
    String q = queue("crashed");
    publish(q, 2);
    claimAsAHolderThatDies(q, 1, 60_000);
    Source source = transport.openSource(task(dataDir, q, "pollInterval", "100ms"));
    LocalTestSupport.Collector c = start(source);
    assertThat(c.take(2, 5))
        .as("the dead one's message first, in its old place, long before its lease ends")
        .extracting(d -> d.message().payloadAsString())
        .containsExactly("m0", "m1");
    assertThat(source.redeliveries()).as("the one the dead consumer held").hasValue(1);
  }

  @Test
  void aRowClaimedAgainAfterItsLeaseRanOutCountsAsARedeliveryAndARetryDoesNot() throws Exception {
    String q = queue("lease-ran-out");
    Source source = transport.openSource(task(dataDir, q, "pollInterval", "100ms"));
    source.pause(); // claims nothing until the test's holder has its row
    LocalTestSupport.Collector c = start(source);
    publish(q, 2);
    claimAsAHolderThatDies(q, 1, 300); // its lease runs out while this consumer runs
    source.resume();
    Delivery other = c.next(5);
    assertThat(other.message().payloadAsString()).isEqualTo("m1");
    other.acknowledger().retry(Duration.ZERO, 2);
    List<String> next = new ArrayList<>();
    c.take(2, 5)
        .forEach(
            d -> {
              next.add(d.message().payloadAsString());
              d.acknowledger().ack();
            });
    assertThat(next).containsExactlyInAnyOrder("m0", "m1");
    assertThat(source.redeliveries())
        .as("m0 only: m1 came back because it was retried")
        .hasValue(1);
  }

  @Test
  void itsOnlyThreadIsThePollThreadNamedByTheTransportContext() throws Exception {
    String q = queue("threads");
    TaskConfig task = task(dataDir, q);
    Source source = transport.openSource(task);
    start(source);
    assertThat(Threads.of(task)).containsExactly("lanes-" + task.name() + "-local-poll");
    source.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> Threads.of(task).isEmpty());
  }

  @Test
  void anAckOfADeliveryWhoseLeaseRanOutChangesNothing() throws Exception {
    String q = queue("stale");
    publish(q, 1);
    Source source = transport.openSource(task(dataDir, q, "pollInterval", "100ms"));
    LocalTestSupport.Collector c = start(source);
    Delivery old = c.next(5);
    // as if the consumer stalled past its lease: the row is visible again and claimed again
    LocalTestSupport.update(dataDir, "UPDATE messages SET visible_at = 0 WHERE queue = ?", q);
    Delivery fresh = c.next(5);
    assertThat(fresh.message().id()).isEqualTo(old.message().id());

    old.acknowledger().ack();
    source.flush();
    assertThat(rows(dataDir, q)).as("the old delivery's ack deletes nothing").isOne();
    fresh.acknowledger().ack();
    await().atMost(Duration.ofSeconds(5)).until(() -> rows(dataDir, q) == 0);
  }

  @Test
  void stopReceivingEndsDeliveriesButSettlingGoesOn() throws Exception {
    String q = queue("stop");
    publish(q, 3);
    Source source = transport.openSource(task(dataDir, q, "batchSize", 3));
    LocalTestSupport.Collector c = new LocalTestSupport.Collector();
    source.start(
        d -> {
          c.accept(d);
          source.stopReceiving(); // from inside the hand-out: nothing more after this one
        });
    sources.add(source);
    Delivery d = c.next(5);
    publish(q, 1);
    c.assertNone(300);
    d.acknowledger().ack();
    source.flush();
    assertThat(rows(dataDir, q)).isEqualTo(3);
    source.close();
    assertThat(
            LocalTestSupport.queryLong(
                dataDir,
                "SELECT count(*) FROM messages WHERE queue = ? AND visible_at <= ?",
                q,
                System.currentTimeMillis()))
        .as("given back on close")
        .isEqualTo(3);
  }

  @Test
  void aSecondConsumerOfTheQueueIsRefusedUntilTheFirstStops() throws Exception {
    String q = queue("exclusive");
    publish(q, 3);
    LocalTestSupport.Collector c = new LocalTestSupport.Collector();
    Source first = transport.openSource(task(dataDir, q));
    sources.add(first);
    first.start(c::accept);
    Source second = transport.openSource(task(dataDir, q));
    sources.add(second);
    assertThatThrownBy(() -> second.start(d -> d.acknowledger().ack()))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("local queue '" + q + "' in " + dataDir)
        .hasMessageContaining("is consumed by task 't-" + q + "' of this process")
        .hasMessageContaining("one consumer at a time");
    Source otherQueue = transport.openSource(task(dataDir, queue("other")));
    sources.add(otherQueue);
    otherQueue.start(d -> d.acknowledger().ack()); // another queue of the same store is free

    List<Delivery> held = c.take(3, 5);
    held.get(0).acknowledger().ack();
    first.close(); // gives back the two unsettled messages
    LocalTestSupport.Collector next = new LocalTestSupport.Collector();
    Source third = transport.openSource(task(dataDir, q));
    sources.add(third);
    third.start(next::accept);
    assertThat(next.take(2, 5))
        .extracting(d -> d.message().payloadAsString())
        .containsExactly(
            held.get(1).message().payloadAsString(), held.get(2).message().payloadAsString());
  }

  @Test
  void backlogCountsOnlyMessagesDeliverableNow() throws Exception {
    String q = queue("backlog");
    publish(q, 3);
    try (LocalPublisher publisher = transport.openPublisher(task(dataDir, q))) {
      publisher.publish(message("k", "later", Map.of(LocalHeaders.DELAY, "1h")));
    }
    Source source = transport.openSource(task(dataDir, q, "batchSize", 1));
    assertThat(source.backlog()).isEmpty(); // not started
    LocalTestSupport.Collector c = new LocalTestSupport.Collector();
    source.start(
        d -> {
          c.accept(d);
          source.pause();
        });
    sources.add(source);
    c.next(5);
    assertThat(source.backlog()).hasValue(2);
    assertThat(source.isConnected()).isTrue();
    source.close();
    assertThat(source.isConnected()).isFalse();
  }

  /**
   * Claims {@code n} rows of {@code q} for {@code leaseMs}, as a consumer that then dies: nobody
   * renews the leases, nobody gives the rows back.
   */
  private void claimAsAHolderThatDies(String q, int n, long leaseMs) throws Exception {
    LocalStore store = LocalStore.acquire(dataDir);
    try {
      assertThat(store.claim(q, n, leaseMs).messages()).hasSize(n);
    } finally {
      store.release();
    }
  }

  private long visibleAt(Delivery d) throws Exception {
    return LocalTestSupport.queryLong(
        dataDir, "SELECT visible_at FROM messages WHERE id = ?", Long.parseLong(d.message().id()));
  }

  private void publish(String q, int n) throws Exception {
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      messages.add(message("k" + i, "m" + i, Map.of("n", Integer.toString(i))));
    }
    try (LocalPublisher publisher = transport.openPublisher(task(dataDir, q))) {
      publisher.publishBatch(messages);
    }
  }

  private static List<String> expectedPayloads(int n) {
    List<String> payloads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      payloads.add("m" + i);
    }
    return payloads;
  }

  private LocalTestSupport.Collector start(TaskConfig task) {
    return start(transport.openSource(task));
  }

  private LocalTestSupport.Collector start(Source source) {
    LocalTestSupport.Collector c = new LocalTestSupport.Collector();
    source.start(c::accept);
    sources.add(source);
    return c;
  }
}
