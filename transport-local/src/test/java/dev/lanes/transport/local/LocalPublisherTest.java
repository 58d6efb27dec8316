package dev.lanes.transport.local;

import static dev.lanes.transport.local.LocalTestSupport.message;
import static dev.lanes.transport.local.LocalTestSupport.queue;
import static dev.lanes.transport.local.LocalTestSupport.rows;
import static dev.lanes.transport.local.LocalTestSupport.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.Message;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.Transport;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPublisherTest {

  @TempDir Path dataDir;

  private final LocalTransport transport = new LocalTransport();

  @Test
  void isFoundByServiceLoaderAsLocal() {
    assertThat(ServiceLoader.load(Transport.class).stream().map(p -> p.get().name()))
        .contains("local");
  }

  @Test
  void batchIsStoredInOneGoAndReturnsIdsInOrder() throws Exception {
    String q = queue("batch");
    List<String> ids;
    try (LocalPublisher publisher = transport.openPublisher(task(dataDir, q))) {
      ids =
          publisher.publishBatch(List.of(message("a", "1"), message("b", "2"), message("c", "3")));
    }
    assertThat(ids).hasSize(3);
    assertThat(ids.stream().map(Long::parseLong).toList()).isSorted().doesNotHaveDuplicates();
    LocalTestSupport.Collector c = new LocalTestSupport.Collector();
    Source source = transport.openSource(task(dataDir, q));
    source.start(c::accept);
    try {
      assertThat(c.take(3, 5)).extracting(d -> d.message().id()).containsExactlyElementsOf(ids);
    } finally {
      source.close();
    }
  }

  @Test
  void oneInvalidSchedulingHeaderStoresNoneOfTheBatch() throws Exception {
    String q = queue("invalid");
    try (LocalPublisher publisher = transport.openPublisher(task(dataDir, q))) {
      List<Message> batch =
          List.of(
              message("a", "1"),
              message("b", "2", Map.of(LocalHeaders.DELAY, "ten seconds")),
              message("c", "3"));
      assertThatThrownBy(() -> publisher.publishBatch(batch))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("message 1: header 'delay' = 'ten seconds'");
      assertThatThrownBy(
              () ->
                  publisher.publish(
                      message("d", "4", Map.of(LocalHeaders.DELIVER_AT, "2026-13-01T00:00:00Z"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("header 'deliverAt'");
    }
    assertThat(rows(dataDir, q)).isZero();
  }

  @Test
  void schedulingHeadersAreInstructionsNotStoredHeaders() throws Exception {
    String q = queue("strip");
    try (LocalPublisher publisher = transport.openPublisher(task(dataDir, q))) {
      publisher.publish(message("k", "x", Map.of(LocalHeaders.DELAY, "0s", "kept", "yes")));
    }
    LocalTestSupport.Collector c = new LocalTestSupport.Collector();
    Source source = transport.openSource(task(dataDir, q));
    source.start(c::accept);
    try {
      assertThat(c.next(5).message().headers()).isEqualTo(Map.of("kept", "yes"));
    } finally {
      source.close();
    }
  }

  @Test
  void typedDeliverAtRefusesASecondScheduleInHeaders() throws Exception {
    String q = queue("typed");
    try (LocalPublisher publisher = transport.openPublisher(task(dataDir, q))) {
      assertThatThrownBy(
              () ->
                  publisher.publish(
                      message("k", "x", Map.of(LocalHeaders.DELAY, "5s")), Instant.now()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not both");
    }
    assertThat(rows(dataDir, q)).isZero();
  }

  @Test
  void publishAllOfTheSpiUsesOneTransaction() throws Exception {
    String q = queue("all");
    Publisher publisher = transport.openPublisher(task(dataDir, q));
    try (publisher) {
      assertThatThrownBy(
              () ->
                  publisher.publishAll(
                      List.of(
                          message("a", "1"), message("b", "2", Map.of(LocalHeaders.DELAY, "-1s")))))
          .isInstanceOf(IllegalArgumentException.class);
      publisher.publishAll(List.of(message("a", "1"), message("b", "2")));
    }
    assertThat(rows(dataDir, q)).isEqualTo(2);
  }

  @Test
  void closedPublisherRefusesAndCloseIsIdempotent() throws Exception {
    LocalPublisher publisher = transport.openPublisher(task(dataDir, queue("closed")));
    publisher.close();
    publisher.close();
    assertThatThrownBy(() -> publisher.publish(message("k", "x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
