package dev.lanes.transport.kafka;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.DeliverySink;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportContext;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer-group subscription to the task's topics and their retry topics. Each topic set has its
 * own {@link KafkaConsumer} and group, owned by its own poll thread: {@code
 * lanes-<task>-kafka-poll} in {@code kafka.group} for the task's topics and {@code
 * lanes-<task>-kafka-retry-poll} in {@code <group>.retry} for the retry topics. So the task's
 * partitions are balanced among instances on their own (one subscription over both would let a
 * sticky assignment give a new instance only retry partitions) and neither consumer's rebalances
 * stall the other. Acknowledgers only mark records done; each poll thread commits, per partition,
 * the offset of the oldest unfinished record. See {@code docs/transports/kafka.md}.
 *
 * <p>Thread-safety: {@link #pause()}, {@link #resume()}, {@link #backlog()}, {@link
 * #lagByPartition()} and {@link #isConnected()} may be called from any thread; the lifecycle
 * methods follow the {@link Source} protocol. {@code pause}, {@code resume} and {@code
 * stopReceiving} before {@link #start} are no-ops.
 */
public final class KafkaSource implements Source {

  private static final Logger log = LoggerFactory.getLogger(KafkaSource.class);

  private final TransportContext context;
  private final TaskConfig task;
  private final KafkaSettings settings;
  private final KafkaStats stats = new KafkaStats();
  private final ClientMetrics clientMetrics;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Admin admin;
  private volatile Producer<byte[], byte[]> producer;
  private volatile Republisher republisher;
  private volatile List<PollLoop> loops = List.of();

  /**
   * @param context the task, and the thread names of the poll threads
   */
  KafkaSource(TransportContext context, KafkaSettings settings) {
    this.context = context;
    this.task = context.task();
    this.settings = settings;
    this.clientMetrics = new ClientMetrics(context.meters(), settings.clientMetrics());
  }

  /** See {@link KafkaStats#reconnects}. */
  @Override
  public OptionalLong reconnects() {
    return OptionalLong.of(stats.reconnects.sum());
  }

  /** See {@link KafkaStats#redeliveries}. */
  @Override
  public OptionalLong redeliveries() {
    return OptionalLong.of(stats.redeliveries.sum());
  }

  /**
   * Checks the topics (creating missing retry and dead-letter topics), subscribes, starts the poll
   * threads and waits up to {@code kafka.connectTimeout} for the group's first assignment
   * (consumption starts later if the group takes longer).
   *
   * @throws ReadyFailedException when the broker does not answer, a topic is missing or a consumer
   *     cannot join the group; nothing was consumed then
   */
  @Override
  public void start(DeliverySink sink) {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("task '" + task.name() + "': Kafka source already started");
    }
    try {
      admin = Admin.create(settings.adminProperties());
      new TopicSetup(admin, settings, task).prepare();
      producer = new KafkaProducer<>(settings.producerProperties());
      clientMetrics.bind(producer);
      republisher = new Republisher(settings, producer);
      List<PollLoop> running = new CopyOnWriteArrayList<>();
      loops = running;
      running.add(startLoop(settings.topics(), settings.group(), "kafka-poll", sink));
      running.add(
          startLoop(
              List.copyOf(settings.retryTopics()),
              settings.retryGroup(),
              "kafka-retry-poll",
              sink));
      for (PollLoop poll : running) {
        boolean assigned = poll.awaitFirstAssignment(settings.connectTimeout());
        if (poll.isFinished()) {
          Throwable cause = poll.failure();
          throw task.invalid(
              "kafka.group",
              "a consumer group this task can join on " + settings.bootstrap(),
              cause instanceof Exception ? (Exception) cause : null);
        }
        if (!assigned) {
          log.warn(
              "task '{}': no partitions of {} assigned within {}; consuming starts when"
                  + " group '{}' assigns some",
              task.name(),
              poll.topics(),
              settings.connectTimeout(),
              poll.group());
        }
      }
      log.info(
          "task '{}': consuming {} as group '{}' and retries from {} as group '{}' from {}",
          task.name(),
          settings.topics(),
          settings.group(),
          settings.retryTopics(),
          settings.retryGroup(),
          settings.bootstrap());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      shutDown(Duration.ZERO);
      throw new ReadyFailedException("task '" + task.name() + "': interrupted while starting", e);
    } catch (ReadyFailedException e) {
      shutDown(Duration.ZERO);
      throw e;
    } catch (KafkaException e) {
      shutDown(Duration.ZERO);
      throw task.invalid("kafka", "settings a Kafka client accepts", e);
    }
  }

  private PollLoop startLoop(List<String> topics, String group, String role, DeliverySink sink) {
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(settings.consumerProperties(group));
    clientMetrics.bind(consumer);
    PollLoop poll = new PollLoop(settings, topics, group, consumer, republisher, sink, stats);
    consumer.subscribe(topics, poll);
    context.threads(role, false).newThread(poll).start();
    return poll;
  }

  @Override
  public void pause() {
    loops.forEach(PollLoop::pause);
  }

  @Override
  public void resume() {
    loops.forEach(PollLoop::resume);
  }

  @Override
  public void stopReceiving() {
    loops.forEach(PollLoop::stopReceiving);
  }

  /**
   * Waits (up to {@code kafka.commitTimeout}) for retry and dead-letter writes in flight, then has
   * each poll thread commit every finished offset synchronously, within {@code
   * kafka.commitTimeout}.
   */
  @Override
  public void flush() {
    List<PollLoop> running = loops.stream().filter(poll -> !poll.isFinished()).toList();
    if (running.isEmpty()) {
      return;
    }
    try {
      if (!republisher.awaitWritten(settings.commitTimeout())) {
        log.warn(
            "task '{}': retry or dead-letter writes still unconfirmed after {}; their"
                + " messages stay uncommitted and are consumed again",
            task.name(),
            settings.commitTimeout());
      }
      List<CompletableFuture<Boolean>> commits =
          running.stream().map(PollLoop::requestCommit).toList();
      long deadline = System.nanoTime() + settings.commitTimeout().multipliedBy(2).toNanos();
      for (CompletableFuture<Boolean> commit : commits) {
        long remaining = Math.max(0, deadline - System.nanoTime());
        if (!commit.get(remaining, TimeUnit.NANOSECONDS)) {
          log.warn(
              "task '{}': final commit failed; finished records may be consumed again",
              task.name());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException | ExecutionException e) {
      log.warn(
          "task '{}': final commit did not complete in time; finished records may be"
              + " consumed again",
          task.name());
    }
  }

  /**
   * Commits what finished, leaves the group and closes the clients. Unsettled records are left
   * uncommitted, so the partitions' next owner consumes them again. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      shutDown(settings.commitTimeout());
    }
  }

  private void shutDown(Duration timeout) {
    List<PollLoop> all = loops;
    all.forEach(PollLoop::requestClose);
    // each loop: a final commit and the consumer's close, each bounded by commitTimeout
    long deadline =
        System.nanoTime() + settings.commitTimeout().multipliedBy(2).plusSeconds(1).toNanos();
    try {
      for (PollLoop poll : all) {
        if (!poll.awaitFinished(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
          log.warn(
              "task '{}': Kafka poll thread of {} did not finish in time",
              task.name(),
              poll.topics());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    clientMetrics.close();
    if (producer != null) {
      producer.close(timeout);
    }
    if (admin != null) {
      admin.close(timeout);
    }
  }

  /** The partitions assigned to this source right now, of its topics and retry topics. */
  Set<TopicPartition> assignment() {
    Set<TopicPartition> all = new HashSet<>();
    loops.forEach(poll -> all.addAll(poll.assignment()));
    return all;
  }

  /**
   * The partitions of the task's topics assigned to this source right now, as {@code
   * <topic>-<partition>}. The retry topics' partitions, balanced in a group of their own, are left
   * out: the task's topics decide which keys come here.
   */
  @Override
  public Optional<Set<String>> ownedPartitions() {
    List<PollLoop> running = loops;
    if (running.isEmpty()) {
      return Optional.of(Set.of());
    }
    return Optional.of(
        running.get(0).assignment().stream()
            .map(TopicPartition::toString)
            .collect(Collectors.toUnmodifiableSet()));
  }

  @Override
  public String destinationName() {
    return String.join(",", settings.topics());
  }

  @Override
  public Optional<String> consumerGroup() {
    return Optional.of(settings.group());
  }

  /** Total consumer lag of the partitions this source holds; see {@link #lagByPartition()}. */
  @Override
  public OptionalLong backlog() {
    return readLag()
        .map(lag -> OptionalLong.of(lag.values().stream().mapToLong(Long::longValue).sum()))
        .orElse(OptionalLong.empty());
  }

  /**
   * Consumer lag of each partition assigned to this source right now (its topics' and retry
   * topics'): the partition's end offset minus its group's committed offset (or minus its start
   * when nothing was committed yet), so records in lanes count until their offsets are committed.
   * Asks the broker (a few requests, each bounded by {@code kafka.connectTimeout}).
   *
   * @return sorted by partition; empty before start, after close, without assignment or when the
   *     broker did not answer
   */
  public Map<TopicPartition, Long> lagByPartition() {
    return readLag().orElse(Map.of());
  }

  private Optional<Map<TopicPartition, Long>> readLag() {
    Admin client = admin;
    if (loops.isEmpty() || client == null || closed.get()) {
      return Optional.empty();
    }
    try {
      Map<TopicPartition, Long> lag =
          new TreeMap<>(
              Comparator.comparing(TopicPartition::topic)
                  .thenComparingInt(TopicPartition::partition));
      for (PollLoop poll : loops) {
        if (!poll.assignment().isEmpty()) {
          lag.putAll(lag(client, poll.group(), poll.assignment()));
        }
      }
      return Optional.of(lag);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      log.debug("task '{}': could not read consumer lag: {}", task.name(), e.toString());
      return Optional.empty();
    }
  }

  private Map<TopicPartition, Long> lag(Admin client, String group, Set<TopicPartition> partitions)
      throws InterruptedException, ExecutionException, TimeoutException {
    long timeout = settings.connectTimeout().toMillis();
    Map<TopicPartition, OffsetAndMetadata> committed =
        client
            .listConsumerGroupOffsets(
                Map.of(group, new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)))
            .partitionsToOffsetAndMetadata(group)
            .get(timeout, TimeUnit.MILLISECONDS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    for (TopicPartition partition : partitions) {
      latest.put(partition, OffsetSpec.latest());
      if (committed.get(partition) == null) {
        earliest.put(partition, OffsetSpec.earliest());
      }
    }
    Map<TopicPartition, ListOffsetsResultInfo> ends =
        client.listOffsets(latest).all().get(timeout, TimeUnit.MILLISECONDS);
    Map<TopicPartition, ListOffsetsResultInfo> starts =
        earliest.isEmpty()
            ? Map.of()
            : client.listOffsets(earliest).all().get(timeout, TimeUnit.MILLISECONDS);
    Map<TopicPartition, Long> lag = new HashMap<>();
    for (TopicPartition partition : partitions) {
      OffsetAndMetadata done = committed.get(partition);
      long from = done != null ? done.offset() : starts.get(partition).offset();
      lag.put(partition, Math.max(0, ends.get(partition).offset() - from));
    }
    return lag;
  }

  @Override
  public boolean isConnected() {
    List<PollLoop> all = loops;
    return !all.isEmpty() && !closed.get() && all.stream().allMatch(PollLoop::isConnected);
  }
}
