package dev.lanes.transport.local;

import static dev.lanes.transport.local.LocalTestSupport.queue;
import static dev.lanes.transport.local.LocalTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publish is answered only after an fsync; a claim or a settlement is not worth one: losing it to
 * a power cut only hands the message out again, which at-least-once delivery allows. So a message
 * that is published, claimed and acked costs one fsync, not three.
 */
class CommitDurabilityTest {

  @TempDir Path dataDir;

  private LocalStore store;

  @BeforeEach
  void openStore() {
    store = LocalStore.acquire(dataDir);
  }

  @AfterEach
  void closeStore() {
    store.release();
  }

  @Test
  void onlyThePublishOfAMessageWaitsForAnFsync() throws Exception {
    String q = queue("durability");
    long syncedBefore = store.syncedCommits();

    store.insert(
        q,
        List.of(
            new LocalStore.NewMessage(
                "k", Map.of(), "{}".getBytes(StandardCharsets.UTF_8), System.currentTimeMillis())));
    assertThat(store.syncedCommits() - syncedBefore).as("after the publish").isEqualTo(1);

    StoredMessage claimed = store.claim(q, 10, 30_000).messages().get(0);
    boolean[] applied =
        store.settle(List.of(new Settlement(Settlement.Kind.ACK, claimed, 0, null)));
    store.takeBackLeases(q);

    assertThat(applied).containsExactly(true);
    assertThat(rows(dataDir, q)).as("acked and gone").isZero();
    assertThat(store.syncedCommits() - syncedBefore).as("after claim, ack, take-back").isEqualTo(1);
  }
}
