package dev.lanes.transport.nsq;

import dev.lanes.conformance.Features;
import dev.lanes.conformance.TransportConformanceKit;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The transport conformance kit against the real nsqd, consuming through nsqlookupd. Keys and
 * headers travel in the Lanes envelope; broker-side retry is REQ with a delay.
 */
@Tag("broker")
class NsqConformanceTest extends TransportConformanceKit {

  private static final NsqTestBed BED = new NsqTestBed();

  @BeforeAll
  static void brokers() {
    NsqTestBed.requireBrokers();
  }

  @AfterAll
  static void deleteTopics() {
    BED.deleteTopics();
  }

  @Override
  protected Transport transport() {
    return new NsqTransport();
  }

  @Override
  protected Map<String, Object> destination(String scenario) {
    return Map.of("nsq.topic", BED.topic("conformance_" + scenario), "nsq.lookupInterval", "1s");
  }

  @Override
  protected Map<String, Object> deadLetters(TaskConfig task) {
    return Map.of(
        "nsq.topic",
        NsqSettings.from(task).deadLetterTopic(),
        "nsq.channel",
        "dead_letters",
        "nsq.lookupInterval",
        "1s");
  }

  @Override
  protected Features features() {
    return Features.defaults();
  }
}
