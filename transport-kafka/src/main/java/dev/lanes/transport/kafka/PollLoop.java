package dev.lanes.transport.kafka;

import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that touches the {@link Consumer}: polls, hands records to the sink, pauses and
 * resumes partitions, commits, and handles rebalances. Other threads only set flags, queue commit
 * requests and {@link Consumer#wakeup() wake} it.
 *
 * <ul>
 *   <li>It keeps calling {@code poll} whatever the lanes do, so a slow handler never makes the
 *       consumer miss {@code max.poll.interval.ms}; backpressure pauses the partitions instead.
 *   <li>Every {@code commitInterval} it commits, through the {@link OffsetCommitter}, the {@link
 *       PartitionTracker#committable() contiguous} offset of each partition that moved.
 *   <li>On revoke it stops handing out the partitions' records, waits up to {@code revokeTimeout}
 *       for those in lanes, makes the rest stale (counted as redeliveries in {@link KafkaStats})
 *       and commits what finished (synchronously).
 * </ul>
 */
final class PollLoop implements Runnable, ConsumerRebalanceListener {

  private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

  private final KafkaSettings settings;
  private final List<String> topics;
  private final String group;
  private final Consumer<byte[], byte[]> consumer;
  private final Republisher republisher;
  private final DeliverySink sink;
  private final KafkaStats stats;
  private final Set<String> retryTopics;
  private final RetryHold hold;
  private final DrainSignal drain = new DrainSignal();
  private final Map<TopicPartition, PartitionTracker> trackers = new HashMap<>();
  private final OffsetCommitter committer;
  private final Queue<CompletableFuture<Boolean>> commitRequests = new ConcurrentLinkedQueue<>();
  private final Object handOutLock = new Object();
  private final CountDownLatch firstAssignment = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicBoolean pauseRequested = new AtomicBoolean();

  private volatile boolean receiving = true;
  private volatile boolean pausesChanged = true;
  private volatile boolean closeRequested;
  private volatile Throwable failure;
  private volatile Set<TopicPartition> assignment = Set.of();
  private volatile Metric connections;
  private final ConnectionLog connectionLog;

  // poll thread only
  private final List<Delivery> batch = new ArrayList<>(); // one poll's records for the sink
  private boolean holdWasFull;
  private boolean closing;
  private boolean consumerClosed;

  /**
   * @param topics what {@code consumer} subscribes to: the task's topics or its retry topics
   * @param group the consumer's group
   * @param stats where the loop counts reconnects and records left to a partition's next owner
   */
  PollLoop(
      KafkaSettings settings,
      List<String> topics,
      String group,
      Consumer<byte[], byte[]> consumer,
      Republisher republisher,
      DeliverySink sink,
      KafkaStats stats) {
    this.settings = settings;
    this.topics = List.copyOf(topics);
    this.group = group;
    this.consumer = consumer;
    this.republisher = republisher;
    this.sink = sink;
    this.stats = stats;
    this.retryTopics = settings.retryTopics();
    this.hold = new RetryHold(settings.retryHoldMax());
    this.committer = new OffsetCommitter(settings, consumer);
    this.connectionLog =
        new ConnectionLog(settings.task(), "the consumer of " + this.topics, stats.reconnects);
  }

  // ------------------------------------------------------------------ called from other threads

  /** Pause every assigned partition soon. */
  void pause() {
    if (pauseRequested.compareAndSet(false, true)) {
      pausesChanged = true;
      wakeUp();
    }
  }

  /** Undo {@link #pause()}. */
  void resume() {
    if (pauseRequested.compareAndSet(true, false)) {
      pausesChanged = true;
      wakeUp();
    }
  }

  /** No record reaches the sink once this returns; the loop keeps committing until closed. */
  void stopReceiving() {
    synchronized (handOutLock) {
      receiving = false;
    }
    pausesChanged = true;
    wakeUp();
  }

  /** Asks the loop to commit everything finished, synchronously; the future tells if it did. */
  CompletableFuture<Boolean> requestCommit() {
    CompletableFuture<Boolean> request = new CompletableFuture<>();
    commitRequests.add(request);
    if (finished.getCount() == 0 && commitRequests.remove(request)) {
      request.complete(false);
    }
    wakeUp();
    return request;
  }

  /** Asks the loop to commit what finished, leave the group and end. */
  void requestClose() {
    closeRequested = true;
    drain.abort();
    wakeUp();
  }

  boolean awaitFirstAssignment(Duration timeout) throws InterruptedException {
    return firstAssignment.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  boolean awaitFinished(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The topics this loop consumes. */
  List<String> topics() {
    return topics;
  }

  /** The consumer's group. */
  String group() {
    return group;
  }

  /** Why the loop ended abnormally, or {@code null}. */
  Throwable failure() {
    return failure;
  }

  boolean isFinished() {
    return finished.getCount() == 0;
  }

  /** The partitions assigned right now (a snapshot). */
  Set<TopicPartition> assignment() {
    return assignment;
  }

  /** Whether the loop runs and the consumer holds at least one broker connection. */
  boolean isConnected() {
    if (isFinished() || closeRequested) {
      return false;
    }
    Metric count = connections;
    return count == null || ((Number) count.metricValue()).doubleValue() > 0;
  }

  private void wakeUp() {
    if (!isFinished()) {
      consumer.wakeup();
    }
  }

  // ------------------------------------------------------------------ the poll thread

  @Override
  public void run() {
    connections = connectionCountMetric();
    try {
      while (!closeRequested) {
        serveCommitRequests();
        applyPauses();
        releaseDueRetries();
        ConsumerRecords<byte[], byte[]> records;
        try {
          committer.commitIfDue(trackers.values());
          records = consumer.poll(pollTimeout());
          connectionLog.observe(isConnected(), System.currentTimeMillis());
        } catch (WakeupException e) {
          continue; // a pause, resume or request wants attention
        }
        handOut(records);
      }
      closing = true;
      committer.commitSync(trackers.values(), "close");
      abandonAll();
      closeConsumer();
    } catch (InterruptException e) {
      failure = e;
      log.error("task '{}': Kafka poll thread interrupted; consumption stopped", settings.task());
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      failure = e;
      log.error("task '{}': Kafka poll loop failed; consumption stopped", settings.task(), e);
    } finally {
      abandonAll();
      closeConsumer();
      finished.countDown();
      firstAssignment.countDown();
      CompletableFuture<Boolean> request;
      while ((request = commitRequests.poll()) != null) {
        request.complete(false);
      }
      if (failure != null && !closeRequested) {
        sink.sourceFailed(failure); // the runtime stops the task; it ends FAILED
      }
    }
  }

  private void handOut(ConsumerRecords<byte[], byte[]> records) {
    if (records.isEmpty()) {
      return;
    }
    synchronized (handOutLock) {
      if (!receiving) {
        return; // never tracked, so never committed: the next owner reads them
      }
      try {
        collect(records);
      } finally {
        if (!batch.isEmpty()) {
          sink.acceptAll(batch); // one hand-off per poll: at most one wake-up per lane
          batch.clear();
        }
      }
    }
  }

  /** Tracks every record, acks or holds those that need it and batches the rest for the sink. */
  private void collect(ConsumerRecords<byte[], byte[]> records) {
    long now = System.currentTimeMillis();
    long receivedNanos = System.nanoTime(); // the poll's records arrived together
    for (TopicPartition partition : records.partitions()) {
      PartitionTracker tracker = trackers.get(partition);
      if (tracker == null) {
        continue;
      }
      boolean fromRetryTopic = retryTopics.contains(partition.topic());
      for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
        Message message = RecordCodec.toMessage(record, fromRetryTopic);
        KafkaAcknowledger acknowledger =
            new KafkaAcknowledger(
                settings.task(),
                tracker,
                record,
                message,
                taskTopic(record, fromRetryTopic),
                republisher);
        tracker.track(acknowledger);
        if (tracker.finishedByPreviousOwner(record.offset())) {
          tracker.handOut();
          acknowledger.ack(); // handled before the last commit; only its offset was held back
          continue;
        }
        Delivery delivery = new Delivery(message, acknowledger, receivedNanos);
        long due = fromRetryTopic ? RecordCodec.dueMillis(record) : 0;
        if (due > now) {
          hold.hold(tracker, due, delivery);
        } else {
          tracker.handOut();
          batch.add(delivery);
        }
      }
    }
  }

  private String taskTopic(ConsumerRecord<byte[], byte[]> record, boolean fromRetryTopic) {
    if (!fromRetryTopic) {
      return record.topic();
    }
    String topic = RecordCodec.taskTopic(record);
    return topic != null && settings.topics().contains(topic) ? topic : settings.topics().get(0);
  }

  private void releaseDueRetries() {
    if (hold.size() == 0) {
      return;
    }
    synchronized (handOutLock) {
      if (receiving && !pauseRequested.get()) {
        hold.releaseDue(System.currentTimeMillis(), sink);
      }
    }
  }

  private Duration pollTimeout() {
    long millis = settings.commitInterval().toMillis();
    if (hold.size() > 0 && receiving && !pauseRequested.get()) {
      millis = Math.min(millis, Math.max(0, hold.nextDueMillis() - System.currentTimeMillis()));
    }
    return Duration.ofMillis(millis);
  }

  /** Pauses all partitions while paused or stopped, and the retry topic while the hold is full. */
  private void applyPauses() {
    boolean holdFull = hold.isFull();
    if (holdFull != holdWasFull) {
      holdWasFull = holdFull;
      pausesChanged = true;
    }
    if (!pausesChanged) {
      return;
    }
    pausesChanged = false;
    boolean all = pauseRequested.get() || !receiving;
    Set<TopicPartition> paused = consumer.paused();
    List<TopicPartition> toPause = new ArrayList<>();
    List<TopicPartition> toResume = new ArrayList<>();
    for (TopicPartition partition : trackers.keySet()) {
      boolean pause = all || (holdFull && retryTopics.contains(partition.topic()));
      if (pause && !paused.contains(partition)) {
        toPause.add(partition);
      } else if (!pause && paused.contains(partition)) {
        toResume.add(partition);
      }
    }
    if (!toPause.isEmpty()) {
      consumer.pause(toPause);
    }
    if (!toResume.isEmpty()) {
      consumer.resume(toResume);
    }
  }

  private void serveCommitRequests() {
    CompletableFuture<Boolean> request;
    while ((request = commitRequests.poll()) != null) {
      request.complete(committer.commitSync(trackers.values(), "flush"));
    }
  }

  // ------------------------------------------------------------------ rebalances

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(partitions);
    for (TopicPartition partition : partitions) {
      PartitionTracker tracker = new PartitionTracker(partition, drain);
      OffsetAndMetadata last = committed.get(partition);
      if (last != null) {
        tracker.finishedByPreviousOwner(FinishedOffsets.decode(last.offset(), last.metadata()));
      }
      trackers.put(partition, tracker);
    }
    assignment = Set.copyOf(trackers.keySet());
    pausesChanged = true;
    applyPauses(); // before this poll fetches anything of the new partitions
    if (!partitions.isEmpty()) {
      log.info("task '{}': assigned {}", settings.task(), names(partitions));
    }
    firstAssignment.countDown();
  }

  /**
   * The committed offsets of newly assigned partitions, for the finished offsets their metadata
   * carries; none when they cannot be read (those records are then handled again).
   */
  private Map<TopicPartition, OffsetAndMetadata> committedOffsets(
      Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          consumer.committed(Set.copyOf(partitions), settings.commitTimeout());
      return committed == null ? Map.of() : committed;
    } catch (InterruptException e) {
      throw e;
    } catch (KafkaException e) { // a WakeupException (a pause meant for poll) too
      log.warn(
          "task '{}': could not read the committed offsets of {} ({}); records finished above"
              + " them by their previous owner are handled again",
          settings.task(),
          names(partitions),
          e.toString());
      return Map.of();
    }
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    List<PartitionTracker> revoked =
        partitions.stream().map(trackers::get).filter(Objects::nonNull).toList();
    if (revoked.isEmpty()) {
      return;
    }
    hold.drop(partitions);
    boolean drained = closing || awaitDrain(revoked);
    // stale before the commit is computed: what is unsettled now stays so, and is not committed
    revoked.forEach(PartitionTracker::revoke);
    committer.commitSync(revoked, "revoke");
    int abandoned = 0;
    for (PartitionTracker tracker : revoked) {
      abandoned += tracker.handedOut();
      trackers.remove(tracker.partition());
    }
    stats.redeliveries.add(abandoned);
    assignment = Set.copyOf(trackers.keySet());
    if (drained) {
      log.info("task '{}': revoked {}", settings.task(), names(partitions));
    } else {
      log.warn(
          "task '{}': revoked {} with {} records still in lanes after revokeTimeout {}; they are"
              + " left to the new owner",
          settings.task(),
          names(partitions),
          abandoned,
          settings.revokeTimeout());
    }
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    hold.drop(partitions);
    for (TopicPartition partition : partitions) {
      PartitionTracker tracker = trackers.remove(partition);
      if (tracker != null) {
        tracker.revoke();
        stats.redeliveries.add(tracker.handedOut());
      }
    }
    assignment = Set.copyOf(trackers.keySet());
    log.warn(
        "task '{}': lost {} (the group moved on without this consumer); their records still in"
            + " lanes are left to the new owner",
        settings.task(),
        names(partitions));
  }

  private boolean awaitDrain(List<PartitionTracker> revoked) {
    try {
      return drain.await(revoked, settings.revokeTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void abandonAll() {
    hold.drop(trackers.keySet());
    trackers.values().forEach(PartitionTracker::revoke);
    trackers.clear();
    assignment = Set.of();
  }

  private void closeConsumer() {
    if (consumerClosed) {
      return;
    }
    consumerClosed = true;
    try {
      consumer.close(CloseOptions.timeout(settings.commitTimeout()));
    } catch (InterruptException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("task '{}': closing the Kafka consumer failed: {}", settings.task(), e.toString());
    }
  }

  private Metric connectionCountMetric() {
    return consumer.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals("connection-count"))
        .filter(e -> e.getKey().group().equals("consumer-metrics"))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }

  private static Set<String> names(Collection<TopicPartition> partitions) {
    Set<String> names = new TreeSet<>();
    partitions.forEach(p -> names.add(p.toString()));
    return names;
  }
}
