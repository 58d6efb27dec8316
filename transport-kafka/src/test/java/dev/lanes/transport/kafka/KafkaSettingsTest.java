package dev.lanes.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.Tasks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

  @Test
  void defaultsNameTopicGroupRetryAndDeadLetterTopicsAfterTheTask() {
    KafkaSettings settings = KafkaSettings.read(task(Map.of()));

    assertThat(settings.bootstrap()).isEqualTo("127.0.0.1:9092");
    assertThat(settings.topics()).containsExactly("orders");
    assertThat(settings.group()).isEqualTo("orders");
    assertThat(settings.retryGroup()).isEqualTo("orders.retry");
    assertThat(settings.retryTopics()).containsExactly("orders.orders.retry");
    assertThat(settings.deadLetterTopics()).containsExactly("orders.DLT");
    assertThat(settings.createTopics()).isTrue();
    assertThat(settings.retryHoldMax()).isEqualTo(1000);
    assertThat(settings.commitInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(settings.commitTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.revokeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void readsSeveralTopicsAndSharedRetryAndDeadLetterTopics() {
    KafkaSettings settings =
        KafkaSettings.read(
            task(
                Map.of(
                    "kafka.topic", " a , b,a ",
                    "kafka.group", "g1",
                    "kafka.retryTopic", "all.retry",
                    "kafka.deadLetterTopic", "all.dead")));

    assertThat(settings.topics()).containsExactly("a", "b");
    assertThat(settings.group()).isEqualTo("g1");
    assertThat(settings.retryTopicFor("b")).isEqualTo("all.retry");
    assertThat(settings.deadLetterTopicFor("a")).isEqualTo("all.dead");
    assertThat(settings.retryTopics()).containsExactly("all.retry");
  }

  @Test
  void passesClientPropertiesThroughWithConsumerAndProducerBlocksOnTop() {
    TaskConfig task =
        TaskConfigLoader.forTask(
            "orders",
            ConfigFactory.parseString(
                """
        transport = kafka
        kafka {
          client { security.protocol = PLAINTEXT, "client.id" = shared, request.timeout.ms = 20000 }
          consumer { client.id = reader, max.poll.records = 50, auto.offset.reset = latest }
          producer { linger.ms = 20 }
        }
        """));
    KafkaSettings settings = KafkaSettings.read(task);

    Map<String, Object> consumer = settings.consumerProperties("orders");
    assertThat(consumer)
        .containsEntry("security.protocol", "PLAINTEXT")
        .containsEntry("client.id", "reader")
        .containsEntry("max.poll.records", "50")
        .containsEntry("auto.offset.reset", "latest")
        .containsEntry("request.timeout.ms", "20000")
        .containsEntry("group.id", "orders")
        .containsEntry("enable.auto.commit", "false")
        .doesNotContainKey("linger.ms");
    assertThat(settings.producerProperties())
        .containsEntry("client.id", "shared")
        .containsEntry("linger.ms", "20")
        .containsEntry("acks", "all")
        .doesNotContainKey("max.poll.records");
    assertThat(settings.adminProperties())
        .containsEntry("security.protocol", "PLAINTEXT")
        .containsEntry("bootstrap.servers", "127.0.0.1:9092");
  }

  @Test
  void consumerStartsAtTheEarliestOffsetWithCooperativeRebalancingByDefault() {
    Map<String, Object> consumer = KafkaSettings.read(task(Map.of())).consumerProperties("orders");
    assertThat(consumer)
        .containsEntry("auto.offset.reset", "earliest")
        .containsEntry(
            "partition.assignment.strategy",
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
  }

  @Test
  void leavesAssignmentToTheBrokerWithTheConsumerGroupProtocol() {
    Map<String, Object> consumer =
        KafkaSettings.read(task(Map.of("kafka.consumer.group.protocol", "consumer")))
            .consumerProperties("orders");
    assertThat(consumer)
        .containsEntry("group.protocol", "consumer")
        .doesNotContainKey("partition.assignment.strategy");
  }

  @Test
  void refusesPropertiesLanesSetsItself() {
    for (String owned :
        List.of(
            "client.enable.auto.commit",
            "consumer.group.id",
            "producer.bootstrap.servers",
            "consumer.key.deserializer")) {
      assertThatThrownBy(() -> KafkaSettings.read(task(Map.of("kafka." + owned, "x"))))
          .isInstanceOf(ReadyFailedException.class)
          .hasMessageContaining("task 'orders': kafka." + owned + ": expected");
    }
  }

  @Test
  void refusesValuesTheKafkaClientWouldRefuse() {
    assertThatThrownBy(
            () ->
                KafkaSettings.read(
                    task(Map.of("kafka.client.security.protocol", "CARRIER_PIGEON"))))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("kafka.consumer: expected valid Kafka client properties")
        .hasMessageContaining("security.protocol");
  }

  @Test
  void refusesBadTopicsDurationsAndCounts() {
    Map<String, Object> bad =
        Map.of(
            "kafka.topic", "no spaces",
            "kafka.retryTopic", "bad/name",
            "kafka.commitInterval", "0s",
            "kafka.revokeTimeout", "soon",
            "kafka.retryHoldMax", 0,
            "kafka.bootstrap", "");
    bad.forEach(
        (key, value) ->
            assertThatThrownBy(() -> KafkaSettings.read(task(Map.of(key, value))))
                .as(key)
                .isInstanceOf(ReadyFailedException.class)
                .hasMessageContaining("task 'orders': " + key + ": expected"));
  }

  @Test
  void refusesARevokeWaitLongerThanThePollIntervalAllows() {
    assertThatThrownBy(
            () ->
                KafkaSettings.read(
                    task(
                        Map.of(
                            "kafka.revokeTimeout",
                            "60s",
                            "kafka.consumer.max.poll.interval.ms",
                            30000))))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining(
            "kafka.revokeTimeout: expected revokeTimeout + commitTimeout below"
                + " the consumer's max.poll.interval.ms (PT30S)");
  }

  @Test
  void refusesConsumingItsOwnRetryTopic() {
    assertThatThrownBy(() -> KafkaSettings.read(task(Map.of("kafka.topic", "a,a.orders.retry"))))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("kafka.topic: expected topics other than");
  }

  @Test
  void retryTopicsAreAllSubscribedOnce() {
    KafkaSettings settings = KafkaSettings.read(task(Map.of("kafka.topic", "a,b")));
    assertThat(settings.retryTopics()).isEqualTo(Set.of("a.orders.retry", "b.orders.retry"));
  }

  @Test
  void twoGroupsOnOneTopicHaveRetryTopicsOfTheirOwn() {
    KafkaSettings business =
        KafkaSettings.read(task(Map.of("kafka.topic", "orders", "kafka.group", "billing")));
    KafkaSettings audit =
        KafkaSettings.read(task(Map.of("kafka.topic", "orders", "kafka.group", "audit")));
    assertThat(business.retryTopics()).containsExactly("orders.billing.retry");
    assertThat(audit.retryTopics()).containsExactly("orders.audit.retry");
    assertThat(business.deadLetterTopics()).isEqualTo(audit.deadLetterTopics());
  }

  @Test
  void aGroupThatMakesNoLegalRetryTopicNameAsksForOne() {
    assertThatThrownBy(() -> KafkaSettings.read(task(Map.of("kafka.group", "billing team"))))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("kafka.retryTopic: expected a retry topic name")
        .hasMessageContaining("'orders.billing team.retry'");
    assertThat(
            KafkaSettings.read(
                    task(
                        Map.of(
                            "kafka.group",
                            "billing team",
                            "kafka.retryTopic",
                            "orders.billing.retry")))
                .retryTopics())
        .containsExactly("orders.billing.retry");
  }

  private static TaskConfig task(Map<String, Object> overrides) {
    Map<String, Object> all = new java.util.HashMap<>(overrides);
    all.put("transport", "kafka");
    return Tasks.task("orders", all);
  }

  @Test
  void printsPassThroughPropertyNamesButNoValue() {
    KafkaSettings settings =
        KafkaSettings.read(
            task(
                Map.of(
                    "kafka.client",
                    Map.of(
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required"
                            + " username=\"lanes\" password=\"s3cr3t-XYZ\";"),
                    "kafka.producer",
                    Map.of("ssl.key.password", "s3cr3t-XYZ"))));

    assertThat(settings.toString())
        .contains("sasl.jaas.config", "ssl.key.password", "bootstrap=127.0.0.1:9092")
        .doesNotContain("s3cr3t-XYZ");
  }
}
