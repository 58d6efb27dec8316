package dev.lanes.testing;

import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import dev.lanes.spi.Source;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A source driven by the test: {@link #deliver} hands a message to the sink on the caller's thread.
 * Every SPI call is written to the {@link EventLog}; {@link #onStart} and {@link #onStopReceiving}
 * run inside those calls (and may throw).
 */
public final class FakeSource implements Source {

  private final EventLog log;
  private final Map<String, RecordingAcknowledger> acks = new ConcurrentHashMap<>();
  private final AtomicInteger pauses = new AtomicInteger();
  private final AtomicInteger resumes = new AtomicInteger();
  private volatile DeliverySink sink;
  private volatile Runnable onStart = () -> {};
  private volatile Runnable onStopReceiving = () -> {};
  private volatile Runnable onPause = () -> {};
  private volatile boolean paused;
  private volatile Duration touchInterval;
  private volatile boolean connected = true;
  private volatile OptionalLong backlog = OptionalLong.empty();
  private volatile OptionalLong reconnects = OptionalLong.empty();
  private volatile OptionalLong redeliveries = OptionalLong.empty();
  private volatile Optional<Set<String>> ownedPartitions = Optional.empty();

  public FakeSource(EventLog log) {
    this.log = log;
  }

  public FakeSource onStart(Runnable hook) {
    this.onStart = hook;
    return this;
  }

  public FakeSource onStopReceiving(Runnable hook) {
    this.onStopReceiving = hook;
    return this;
  }

  /**
   * Runs {@code hook} inside every {@link #pause()}, before the pause takes effect (as a broker
   * client that needs a moment to apply it).
   */
  public FakeSource onPause(Runnable hook) {
    this.onPause = hook;
    return this;
  }

  /** Asks the dispatcher to touch held deliveries this often. */
  public FakeSource touchInterval(Duration interval) {
    this.touchInterval = interval;
    return this;
  }

  public FakeSource connected(boolean connected) {
    this.connected = connected;
    return this;
  }

  /** Makes this a partitioned source owning {@code partitions} from now on. */
  public FakeSource owns(String... partitions) {
    this.ownedPartitions = Optional.of(Set.of(partitions));
    return this;
  }

  /** Makes this a source that reports reconnects and redeliveries, now these many. */
  public FakeSource counts(long reconnects, long redeliveries) {
    this.reconnects = OptionalLong.of(reconnects);
    this.redeliveries = OptionalLong.of(redeliveries);
    return this;
  }

  public FakeSource backlog(long messages) {
    this.backlog = OptionalLong.of(messages);
    return this;
  }

  @Override
  public void start(DeliverySink sink) {
    log.add("start");
    onStart.run();
    this.sink = sink;
  }

  /** Hands {@code message} to the sink; returns the acknowledger that records its settlement. */
  public RecordingAcknowledger deliver(Message message) {
    RecordingAcknowledger ack = new RecordingAcknowledger(message.id(), log);
    acks.put(message.id(), ack);
    sink.accept(new Delivery(message, ack));
    return ack;
  }

  /** Hands {@code messages} to the sink in one batch, as a source that polls in batches does. */
  public void deliverAll(List<Message> messages) {
    deliverAll(messages, System.nanoTime());
  }

  /** {@link #deliverAll(List)} of messages this source received at {@code receivedNanos}. */
  public void deliverAll(List<Message> messages, long receivedNanos) {
    List<Delivery> batch = new ArrayList<>(messages.size());
    for (Message message : messages) {
      RecordingAcknowledger ack = new RecordingAcknowledger(message.id(), log);
      acks.put(message.id(), ack);
      batch.add(new Delivery(message, ack, receivedNanos));
    }
    sink.acceptAll(batch);
  }

  /** Reports to the sink that this source can deliver no more. */
  public void fail(Throwable cause) {
    log.add("sourceFailed");
    sink.sourceFailed(cause);
  }

  public RecordingAcknowledger ackOf(String messageId) {
    return acks.get(messageId);
  }

  @Override
  public void pause() {
    pauses.incrementAndGet();
    log.add("pause");
    onPause.run();
    paused = true;
  }

  @Override
  public void resume() {
    resumes.incrementAndGet();
    log.add("resume");
    paused = false;
  }

  /** Whether the last pause or resume to take effect was a pause. */
  public boolean isPaused() {
    return paused;
  }

  public int pauses() {
    return pauses.get();
  }

  public int resumes() {
    return resumes.get();
  }

  @Override
  public void stopReceiving() {
    log.add("stopReceiving");
    onStopReceiving.run();
  }

  @Override
  public void flush() {
    log.add("flush");
  }

  @Override
  public void close() {
    log.add("close");
  }

  @Override
  public String destinationName() {
    return "fake-queue";
  }

  @Override
  public Duration touchInterval() {
    return touchInterval;
  }

  @Override
  public boolean isConnected() {
    return connected;
  }

  @Override
  public Optional<Set<String>> ownedPartitions() {
    return ownedPartitions;
  }

  @Override
  public OptionalLong reconnects() {
    return reconnects;
  }

  @Override
  public OptionalLong redeliveries() {
    return redeliveries;
  }

  @Override
  public OptionalLong backlog() {
    return backlog;
  }
}
