package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.Source;
import dev.lanes.testing.Tasks;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and the ReadyFailed cases that need no broker (nothing listens on port 1). */
class NsqTransportTest {

  private final NsqTransport transport = new NsqTransport();

  @Test
  void isFoundByNameThroughTheServiceLoader() {
    assertThat(Transports.load("nsq")).isInstanceOf(NsqTransport.class);
    assertThat(transport.messagingSystem()).isEqualTo("nsq");
  }

  @Test
  void startFailsWhenNoNsqlookupdAnswersNamingFileLineTaskAndKey(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("tasks.conf");
    Source source =
        transport.openSource(
            Tasks.fromFile(
                file,
                "no_lookupd",
                """
                no_lookupd {
                  transport = nsq
                  nsq { topic = t1, lookupd = ["%s"] }
                }
                """
                    .formatted(NsqTestBed.NOWHERE)));
    assertThatThrownBy(() -> source.start(d -> {}))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageStartingWith(file + ":3: task 'no_lookupd': nsq.lookupd: no nsqlookupd answered")
        .hasMessageContaining(NsqTestBed.NOWHERE)
        .hasMessageContaining("start nsqlookupd or fix nsq.lookupd");
    source.close();
  }

  @Test
  void startFailsWhenNoNsqdAcceptsTheSubscription() {
    Source source =
        transport.openSource(
            NsqTestBed.task("no_nsqd", "t1", Map.of("nsq.nsqd", List.of(NsqTestBed.NOWHERE))));
    assertThatThrownBy(() -> source.start(d -> {}))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 'no_nsqd'")
        .hasMessageContaining("nsq.nsqd: no nsqd of [" + NsqTestBed.NOWHERE + "]")
        .hasMessageContaining("start nsqd or fix nsq.nsqd");
    source.close();
  }

  @Test
  void openingAPublisherFailsWhenNsqdIsNotThere() {
    assertThatThrownBy(
            () ->
                transport.openPublisher(
                    NsqTestBed.task("no_pub", "t1", Map.of("nsq.publishTo", NsqTestBed.NOWHERE))))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("nsq.publishTo: cannot reach nsqd at " + NsqTestBed.NOWHERE);
  }

  @Test
  void invalidConfigFailsWhenTheSourceIsOpened() {
    assertThatThrownBy(() -> transport.openSource(NsqTestBed.task("bad", "no spaces", Map.of())))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("nsq.topic: expected");
  }
}
