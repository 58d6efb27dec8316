package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.spi.Delivery;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportContext;
import dev.lanes.spi.TransportMeters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A connection to nsqd cut under the source (a Toxiproxy proxy in front of the shared nsqd is
 * disabled, then enabled again): the shared transport meters count the messages it had in flight as
 * redeliveries and the re-established connection as a reconnect, and nothing else.
 */
@Tag("broker")
class NsqConnectionLossTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final NsqTransport transport = new NsqTransport();
  private final NsqTestBed bed = new NsqTestBed();

  @BeforeAll
  static void brokers() {
    NsqTestBed.requireBrokers();
  }

  @AfterEach
  void cleanUp() {
    bed.deleteTopics();
  }

  @Test
  void aCutConnectionCountsItsMessagesInFlightAsRedeliveriesAndTheReconnectOnce() throws Exception {
    String topic = bed.topic("cut");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Toxiproxy proxy = new Toxiproxy("nsq_cut", NsqTestBed.NSQD_TCP)) {
      TaskConfig task =
          NsqTestBed.task(
              "cut",
              topic,
              Map.of(
                  "nsq.nsqd", List.of(proxy.listen), "nsq.maxInFlight", 4, "nsq.msgTimeout", "2s"));
      NsqTestBed.createTopic(topic);
      for (int i = 0; i < 6; i++) {
        NsqTestBed.publishHttp(topic, "m" + i);
      }
      RecordingSink sink = new RecordingSink();
      try (Source source =
          transport.openSource(
              TransportContext.of(task, registry, Tags.of("lanes.task", task.name())))) {
        source.start(sink);
        List<Delivery> held = sink.next(4, WAIT); // RDY 4: nsqd sends no more until one settles
        assertThat(count(registry, TransportMeters.REDELIVERIES)).isZero();
        assertThat(count(registry, TransportMeters.RECONNECTS)).isZero();

        proxy.disable();
        await()
            .atMost(WAIT)
            .alias("the 4 messages in flight on the cut connection counted")
            .until(() -> count(registry, TransportMeters.REDELIVERIES) == 4);
        assertThat(held).allSatisfy(d -> assertThat(d.acknowledger().isStale()).isTrue());
        await()
            .during(Duration.ofSeconds(3)) // reconnection attempts fail meanwhile
            .atMost(Duration.ofSeconds(5))
            .until(() -> count(registry, TransportMeters.RECONNECTS) == 0);

        proxy.enable();
        await()
            .atMost(WAIT)
            .alias("the re-established connection counted")
            .until(() -> count(registry, TransportMeters.RECONNECTS) == 1);
        // nsqd requeues the cut messages after msgTimeout: 6 messages, each handled once now
        for (int i = 0; i < 6; i++) {
          sink.next(WAIT).acknowledger().ack();
        }
        await().atMost(WAIT).until(() -> NsqTestBed.stats(topic, "cut").backlog() == 0);
        held.forEach(d -> d.acknowledger().ack()); // stale: nothing is sent
        assertThat(count(registry, TransportMeters.REDELIVERIES)).isEqualTo(4);
        assertThat(count(registry, TransportMeters.RECONNECTS)).isEqualTo(1);
        assertThat(NsqTestBed.stats(topic, "cut").timedOut()).isEqualTo(4);
      }
      assertThat(count(registry, TransportMeters.REDELIVERIES))
          .as("a close counts nothing lost")
          .isEqualTo(4);
    }
  }

  private static double count(SimpleMeterRegistry registry, String name) {
    FunctionCounter counter = registry.find(name).tag("lanes.task", "cut").functionCounter();
    assertThat(counter).as("%s registered", name).isNotNull();
    return counter.count();
  }
}
