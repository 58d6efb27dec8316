package dev.lanes.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.Tasks;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AmqpSettingsTest {

  private static AmqpSettings settings(Map<String, Object> amqp) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("transport", "amqp");
    amqp.forEach((k, v) -> overrides.put("amqp." + k, v));
    TaskConfig task = Tasks.task("account_update", overrides);
    return AmqpSettings.of(task);
  }

  @Test
  void defaultsComeFromReferenceConfAndNamesDeriveFromTheTask() {
    AmqpSettings s = settings(Map.of());

    assertThat(s.uri())
        .isEqualTo(
            URI.create(
                System.getenv()
                    .getOrDefault("LANES_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672")));
    assertThat(s.queue()).isEqualTo("account_update");
    assertThat(s.key()).isEqualTo("account_update");
    assertThat(s.exchange()).isEmpty();
    assertThat(s.usesDefaultExchange()).isTrue();
    assertThat(s.deadLetterExchange()).isEqualTo("account_update.dlx");
    assertThat(s.deadLetterQueue()).isEqualTo("account_update.dlq");
    assertThat(s.prefetch()).isEqualTo(256);
    assertThat(s.durable()).isTrue();
    assertThat(s.declare()).isTrue();
    assertThat(s.retryDelays()).first().isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void readsTheDesignsExampleBlock() {
    AmqpSettings s =
        settings(
            Map.of(
                "uri",
                "amqp://guest:guest@127.0.0.1:5672",
                "exchange",
                "e.business",
                "queue",
                "q.business.account.update",
                "key",
                "k.business.account.update",
                "prefetch",
                256));

    assertThat(s.exchange()).isEqualTo("e.business");
    assertThat(s.key()).isEqualTo("k.business.account.update");
    assertThat(s.deadLetterQueue()).isEqualTo("q.business.account.update.dlq");
  }

  @Test
  void partitionsNameTheQueuesAndMakeTheExchangeAConsistentHashOne() {
    assertThat(settings(Map.of()).workQueues()).containsExactly("account_update");

    AmqpSettings s = settings(Map.of("exchange", "e.orders", "partitions", 3));

    assertThat(s.partitioned()).isTrue();
    assertThat(s.exchangeType()).isEqualTo(AmqpSettings.CONSISTENT_HASH);
    assertThat(s.workQueues())
        .containsExactly("account_update.0", "account_update.1", "account_update.2");
  }

  @Test
  void partitionsNeedAnExchangeOfTheirOwnType() {
    assertThatThrownBy(() -> settings(Map.of("partitions", 3)))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("amqp.exchange")
        .hasMessageContaining("partitions = 3");
    assertThatThrownBy(
            () ->
                settings(Map.of("exchange", "e.orders", "partitions", 3, "exchangeType", "topic")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("amqp.exchangeType")
        .hasMessageContaining("x-consistent-hash");
    assertThatThrownBy(() -> settings(Map.of("exchange", "e.orders", "partitions", -1)))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("amqp.partitions");
  }

  @Test
  void sortsAndDeduplicatesRetryDelays() {
    AmqpSettings s = settings(Map.of("retryDelays", List.of("30s", "1s", "30s", "5m")));

    assertThat(s.retryDelays())
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5));
  }

  @Test
  void masksThePasswordOfTheUri() {
    AmqpSettings s = settings(Map.of("uri", "amqps://lanes:s3cr%40t@rabbit.example:5671/prod"));

    assertThat(s.maskedUri()).isEqualTo("amqps://lanes:***@rabbit.example:5671/prod");
    assertThat(s.toString()).contains("lanes:***@").doesNotContain("s3cr%40t");
    assertThat(AmqpSettings.mask(URI.create("amqp://127.0.0.1"))).isEqualTo("amqp://127.0.0.1");
  }

  @Test
  void aUriWithoutAServerPartNamesNoPasswordInItsError() {
    // java.net.URI parses these without a host or user info (a "registry-based" authority, an
    // opaque URI), so the password is not where a server-based URI keeps it
    for (String uri :
        List.of(
            "amqp://lanes:s3cr3t-XYZ@rabbit:notaport",
            "amqp://lanes:s3cr3t-XYZ@rabbit_mq.local:5672",
            "amqp:lanes:s3cr3t-XYZ@rabbit")) {
      assertThatThrownBy(() -> settings(Map.of("uri", uri)))
          .as(uri)
          .isInstanceOf(ReadyFailedException.class)
          .hasMessageContaining("amqp.uri: expected an amqp:// or amqps:// URI with a host")
          .hasMessageNotContaining("s3cr3t-XYZ");
    }
    assertThat(AmqpSettings.mask(URI.create("amqp://lanes:s3cr3t-XYZ@rabbit_mq.local:5672")))
        .isEqualTo("amqp://lanes:***@rabbit_mq.local:5672");
  }

  @Test
  void rejectsAnInvalidValueNamingTheKey() {
    assertThatThrownBy(() -> settings(Map.of("prefetch", 0)))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 'account_update': amqp.prefetch: expected an integer from 1");
    assertThatThrownBy(() -> settings(Map.of("exchangeType", "fanciful")))
        .hasMessageContaining("amqp.exchangeType");
    assertThatThrownBy(() -> settings(Map.of("retryDelays", List.of())))
        .hasMessageContaining("amqp.retryDelays: expected at least one delay");
    assertThatThrownBy(() -> settings(Map.of("ackInterval", "0ms")))
        .hasMessageContaining("amqp.ackInterval: expected a duration > 0");
    assertThatThrownBy(() -> settings(Map.of("durable", "perhaps")))
        .hasMessageContaining("amqp.durable: expected true or false");
    assertThatThrownBy(() -> settings(Map.of("queueType", "stream")))
        .hasMessageContaining("amqp.queueType: expected classic or quorum");
    assertThatThrownBy(() -> settings(Map.of("queueType", "quorum", "durable", false)))
        .hasMessageContaining("amqp.durable: expected true with queueType = quorum");
  }

  @Test
  void rejectsAUriThatIsNotAmqpWithoutEchoingItsPassword() {
    assertThatThrownBy(() -> settings(Map.of("uri", "http://user:hunter2@host")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("amqp.uri: expected an amqp:// or amqps:// URI")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> settings(Map.of("uri", "amqp://user:hunter2@ho st")))
        .hasMessageContaining("amqp.uri")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void aKeyOtherThanTheQueueNeedsAnExchange() {
    assertThatThrownBy(() -> settings(Map.of("queue", "q1", "key", "k1")))
        .hasMessageContaining("amqp.key: expected empty or the queue name 'q1'");
  }
}
