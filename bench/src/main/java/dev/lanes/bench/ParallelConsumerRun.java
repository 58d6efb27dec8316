package dev.lanes.bench;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Confluent Parallel Consumer in KEY order with {@code workers} threads, the baseline. It runs on
 * the project's kafka-clients 4.x, where its check that auto-commit is off cannot reflect into the
 * consumer: auto-commit is off here, so that check is skipped.
 */
final class ParallelConsumerRun implements SlowHandlerWorkload.Consumer {

  private final ParallelStreamProcessor<String, String> processor;

  ParallelConsumerRun(
      SlowHandlerWorkload.Settings settings, String topic, String group, Tally tally) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    ParallelConsumerOptions<String, String> options =
        ParallelConsumerOptions.<String, String>builder()
            .consumer(consumer)
            .ordering(ProcessingOrder.KEY)
            .maxConcurrency(settings.workers())
            .commitMode(CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS)
            .ignoreReflectiveAccessExceptionsForAutoCommitDisabledCheck(true)
            .build();
    processor = ParallelStreamProcessor.createEosStreamProcessor(options);
    processor.subscribe(List.of(topic));
    processor.poll(
        context -> {
          try {
            SlowHandlerWorkload.handle(
                tally, context.getSingleConsumerRecord().value(), settings.sleepMs());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing: Parallel Consumer retries the record
            throw new IllegalStateException("interrupted", e);
          }
        });
  }

  @Override
  public void close() {
    processor.close();
  }
}
