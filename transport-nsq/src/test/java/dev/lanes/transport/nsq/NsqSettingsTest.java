package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.testing.Tasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NsqSettingsTest {

  private static NsqSettings settings(Map<String, Object> overrides) {
    Map<String, Object> all = new HashMap<>(Map.of("transport", "nsq", "nsq.topic", "orders"));
    all.putAll(overrides);
    return NsqSettings.from(Tasks.task("order_sync", all));
  }

  @Test
  void defaultsComeFromReferenceConf() {
    NsqSettings s = settings(Map.of());
    assertThat(s.lookupd()).containsExactly("127.0.0.1:4161");
    assertThat(s.nsqd()).isEmpty();
    assertThat(s.direct()).isFalse();
    assertThat(s.publishTo()).isEqualTo("127.0.0.1:4150");
    assertThat(s.channel()).as("channel defaults to the task name").isEqualTo("order_sync");
    assertThat(s.deadLetterTopic()).isEqualTo("orders_dlq");
    assertThat(s.msgTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.outputBufferTimeout()).as("nsqd's own default").isEqualTo(Duration.ofMillis(250));
    assertThat(settings(Map.of("nsq.outputBufferTimeout", "20ms")).outputBufferTimeout())
        .isEqualTo(Duration.ofMillis(20));
    assertThat(s.touchInterval()).isEqualTo(Duration.ofMillis(29_800));
    assertThat(s.lookupInterval()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void derivesMaxInFlightFromTheLanesWithACap() {
    assertThat(settings(Map.of("consumerNum", 4, "channelLength", 16)).maxInFlight()).isEqualTo(64);
    assertThat(settings(Map.of()).maxInFlight()).as("10 x 1024 capped").isEqualTo(2500);
    assertThat(settings(Map.of("nsq.maxInFlight", 7)).maxInFlight()).isEqualTo(7);
    assertThat(settings(Map.of("nsq.maxInFlight", 5000)).maxInFlight())
        .as("an explicit value is not capped")
        .isEqualTo(5000);
  }

  @Test
  void directModeWhenNsqdAddressesAreGiven() {
    NsqSettings s = settings(Map.of("nsq.nsqd", List.of("127.0.0.1:4150", "[::1]:4150")));
    assertThat(s.direct()).isTrue();
    assertThat(s.nsqd()).containsExactly("127.0.0.1:4150", "[::1]:4150");
  }

  @Test
  void deadLetterTopicOfAnEphemeralTopicIsNotEphemeral() {
    assertThat(settings(Map.of("nsq.topic", "clicks#ephemeral")).deadLetterTopic())
        .isEqualTo("clicks_dlq");
    assertThat(settings(Map.of("nsq.deadLetterTopic", "poison")).deadLetterTopic())
        .isEqualTo("poison");
  }

  @Test
  void lookupIntervalIsRoundedUpToWholeSeconds() {
    assertThat(settings(Map.of("nsq.lookupInterval", "1500ms")).lookupInterval())
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void tlsAndAuthAreOffByDefault() {
    NsqSettings s = settings(Map.of());
    assertThat(s.tls().enabled()).isFalse();
    assertThat(s.tls().httpScheme()).isEqualTo("http");
    assertThat(s.authSecret().isSet()).isFalse();
  }

  @Test
  void tlsWithTheJvmTrustStoreWhenNoCaFileIsGiven() {
    NsqTls tls = settings(Map.of("nsq.tls.enabled", true)).tls();
    assertThat(tls.enabled()).isTrue();
    assertThat(tls.caFile()).isNull();
    assertThat(tls.insecureSkipVerify()).isFalse();
    assertThat(tls.context()).isNotNull();
    assertThat(tls.httpScheme()).isEqualTo("https");
  }

  @Test
  void theAuthSecretIsInNoToStringOfTheSettings() {
    NsqSettings s = settings(Map.of("nsq.authSecret", "s3cr3t-NSQ"));
    assertThat(s.authSecret().isSet()).isTrue();
    assertThat(s.toString()).doesNotContain("s3cr3t-NSQ").contains("authSecret=***");
    assertThat(s.authSecret().toString()).isEqualTo("***");
  }

  @Test
  void rejectsAnUnreadableOrEmptyCaFileNamingTheKey(@TempDir Path dir) throws Exception {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    assertInvalid(
        Map.of("nsq.tls.enabled", true, "nsq.tls.caFile", dir.resolve("missing.pem").toString()),
        "nsq.tls.caFile",
        "a readable PEM file");
    assertInvalid(
        Map.of("nsq.tls.enabled", true, "nsq.tls.caFile", notPem.toString()),
        "nsq.tls.caFile",
        "a readable PEM file");
  }

  @Test
  void rejectsInvalidValuesNamingTheKey() {
    assertInvalid(Map.of("nsq.topic", ""), "nsq.topic", "it has no default");
    assertInvalid(Map.of("nsq.topic", "a/b"), "nsq.topic", "[.a-zA-Z0-9_-]");
    assertInvalid(Map.of("nsq.topic", "t".repeat(65)), "nsq.topic", "1-64 characters");
    assertInvalid(Map.of("nsq.topic", "t".repeat(62)), "nsq.deadLetterTopic", "_dlq");
    assertInvalid(Map.of("nsq.channel", "bad channel"), "nsq.channel", "got 'bad channel'");
    assertInvalid(Map.of("nsq.lookupd", List.of("localhost")), "nsq.lookupd", "host:port");
    assertInvalid(Map.of("nsq.nsqd", List.of("127.0.0.1:99999")), "nsq.nsqd", "host:port");
    assertInvalid(Map.of("nsq.lookupd", List.of()), "nsq.lookupd", "at least one");
    assertInvalid(Map.of("nsq.nsqd", "127.0.0.1:4150"), "nsq.nsqd", "a list, got a string");
    assertInvalid(Map.of("nsq.maxInFlight", -1), "nsq.maxInFlight", ">= 0");
    assertInvalid(Map.of("nsq.msgTimeout", "500ms"), "nsq.msgTimeout", ">= 1s");
    assertInvalid(Map.of("nsq.outputBufferTimeout", "0ms"), "nsq.outputBufferTimeout", ">= 1ms");
    assertInvalid(Map.of("nsq.lookupInterval", "soon"), "nsq.lookupInterval", "a duration");
    assertInvalid(Map.of("nsq.tls.enabled", "maybe"), "nsq.tls.enabled", "true or false");
  }

  private static void assertInvalid(Map<String, Object> overrides, String key, String expectation) {
    assertThatThrownBy(() -> settings(overrides))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 'order_sync'")
        .hasMessageContaining(key + ": expected")
        .hasMessageContaining(expectation);
  }

  @Test
  void partitionsAreOffByDefault() {
    NsqSettings s = settings(Map.of());
    assertThat(s.partitions()).isZero();
    assertThat(s.ownedTopics()).containsExactly("orders");
  }

  @Test
  void ownedPartitionsNameTheTopicsConsumed() {
    NsqSettings s = settings(Map.of("nsq.partitions", 6, "nsq.ownedPartitions", List.of(4, 1)));
    assertThat(s.partitions()).isEqualTo(6);
    assertThat(s.ownedPartitions()).containsExactly(1, 4);
    assertThat(s.ownedTopics()).containsExactly("orders.1", "orders.4");
    assertThat(s.partitionTopic(5)).isEqualTo("orders.5");
    assertThat(s.deadLetterTopic()).isEqualTo("orders_dlq");
  }

  @Test
  void ownedPartitionsMayBeAStringOfNumbersAndRanges() {
    assertThat(
            settings(Map.of("nsq.partitions", 6, "nsq.ownedPartitions", "0-2, 5"))
                .ownedPartitions())
        .containsExactly(0, 1, 2, 5);
  }

  @Test
  void partitionsNeedOwnedPartitionsInRangeWithoutDuplicates() {
    assertThatThrownBy(() -> settings(Map.of("nsq.partitions", 3)))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("nsq.ownedPartitions")
        .hasMessageContaining("required with nsq.partitions = 3");
    assertThatThrownBy(
            () -> settings(Map.of("nsq.partitions", 3, "nsq.ownedPartitions", List.of(0, 3))))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("nsq.ownedPartitions")
        .hasMessageContaining("0..2")
        .hasMessageContaining("3");
    assertThatThrownBy(
            () -> settings(Map.of("nsq.partitions", 3, "nsq.ownedPartitions", List.of(1, 1))))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("nsq.ownedPartitions")
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> settings(Map.of("nsq.partitions", 3, "nsq.ownedPartitions", "1-x")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("nsq.ownedPartitions");
    assertThatThrownBy(() -> settings(Map.of("nsq.ownedPartitions", List.of(0))))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("nsq.ownedPartitions")
        .hasMessageContaining("only with nsq.partitions");
    assertThatThrownBy(
            () ->
                settings(
                    Map.of(
                        "nsq.partitions",
                        2,
                        "nsq.ownedPartitions",
                        "0",
                        "nsq.topic",
                        "a#ephemeral")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("nsq.partitions");
  }
}
