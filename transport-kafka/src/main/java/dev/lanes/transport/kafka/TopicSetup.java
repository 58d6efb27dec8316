package dev.lanes.transport.kafka;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.TaskConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before anything is consumed, that the broker answers and the task's topics exist, and
 * creates missing retry and dead-letter topics (when {@code createTopics}) with the partition count
 * of their topic. Every failure is a {@link ReadyFailedException} naming the key to fix.
 */
record TopicSetup(Admin admin, KafkaSettings settings, TaskConfig task) {

  private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);

  /** Verifies the topics and creates what is missing; returns once the broker confirmed. */
  void prepare() {
    Set<String> existing =
        await(
            admin.listTopics().names(),
            "kafka.bootstrap",
            "a reachable Kafka broker at "
                + settings.bootstrap()
                + " within "
                + settings.connectTimeout());
    for (String topic : settings.topics()) {
      if (!existing.contains(topic)) {
        throw task.invalid(
            "kafka.topic",
            "an existing topic, but '"
                + topic
                + "' does not exist on "
                + settings.bootstrap()
                + "; create it or fix kafka.topic",
            null);
      }
    }
    Map<String, TopicDescription> described =
        await(
            admin.describeTopics(settings.topics()).allTopicNames(),
            "kafka.topic",
            "topics that can be described on " + settings.bootstrap());
    Map<String, Integer> wanted = new LinkedHashMap<>();
    for (String topic : settings.topics()) {
      int partitions = described.get(topic).partitions().size();
      wanted.merge(settings.retryTopicFor(topic), partitions, Math::max);
      wanted.merge(settings.deadLetterTopicFor(topic), partitions, Math::max);
    }
    List<NewTopic> missing = new ArrayList<>();
    wanted.forEach(
        (topic, partitions) -> {
          if (!existing.contains(topic)) {
            missing.add(new NewTopic(topic, Optional.of(partitions), Optional.empty()));
          }
        });
    if (missing.isEmpty()) {
      return;
    }
    if (!settings.createTopics()) {
      String key =
          settings.retryTopics().contains(missing.get(0).name())
              ? "kafka.retryTopic"
              : "kafka.deadLetterTopic";
      throw task.invalid(
          key,
          "an existing topic, but '"
              + missing.get(0).name()
              + "' does not exist; create it or set kafka.createTopics = true",
          null);
    }
    admin
        .createTopics(missing)
        .values()
        .forEach(
            (topic, future) -> {
              try {
                await(future, "kafka.createTopics", "permission to create topic '" + topic + "'");
                log.info("task '{}': created topic {}", settings.task(), topic);
              } catch (ReadyFailedException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                  throw e;
                }
              }
            });
  }

  private <T> T await(KafkaFuture<T> future, String key, String expectation) {
    try {
      return future.get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReadyFailedException("task '" + task.name() + "': interrupted while starting", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UnknownTopicOrPartitionException) {
        throw task.invalid("kafka.topic", expectation, (Exception) cause);
      }
      throw task.invalid(key, expectation, cause instanceof Exception ? (Exception) cause : e);
    } catch (TimeoutException e) {
      throw task.invalid(key, expectation, new TimeoutException("no answer in time"));
    }
  }
}
