package dev.lanes.transport.local;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportContext;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalLong;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue of the local store with one poll thread, {@code lanes-<task>-local-poll}. Each
 * turn the thread applies queued settlements in one transaction, renews the leases of the rows it
 * holds every {@code visibilityTimeout / 3}, and unless paused claims up to {@code batchSize} due
 * rows (hiding them for {@code visibilityTimeout}) and hands them to the sink one by one, stopping
 * as soon as the dispatcher pauses it: the rest of the batch stays claimed and is handed out first
 * after resume, so at most one delivery arrives after a pause. It then sleeps until woken (a
 * publish to the queue from this JVM, a settlement, resume, close), until the next row is due, or
 * at most {@code pollInterval}.
 *
 * <p>One consumer per queue ({@link ConsumerLock}): a second one, in this process or another, is
 * refused at start. On {@link #close()} the rows still held and unsettled are given back at once
 * (due again at their previous due time); after a crash the next consumer takes them back as it
 * starts, or, until one starts, they come back when their lease runs out.
 */
final class LocalSource implements Source {

  private static final Logger log = LoggerFactory.getLogger(LocalSource.class);
  private static final long MAX_BACKOFF_MS = 5_000;

  private final TaskConfig task;
  private final LocalSettings settings;
  private final ThreadFactory pollThreads;
  private final LongAdder redeliveries = new LongAdder();
  private final long leaseMs;
  private final ReentrantLock signalLock = new ReentrantLock();
  private final Condition signal = signalLock.newCondition();
  private boolean woken; // guarded by signalLock
  private final Object deliverLock = new Object();
  private final Runnable wake = this::wake;
  private volatile boolean receiving;
  private volatile boolean paused;
  private volatile boolean closing;
  private volatile boolean connected;
  private boolean started; // guarded by this
  private boolean closed; // guarded by this
  private volatile LocalStore store;
  private ConsumerLock lock; // set by start, released by the poll thread as it ends
  private volatile Settler settler;
  private DeliverySink sink;
  private Thread poller;
  private final Deque<LocalAcknowledger> prefetched = new ArrayDeque<>(); // guarded by deliverLock

  /**
   * @param context the task, and the name of the poll thread
   */
  LocalSource(TransportContext context, LocalSettings settings) {
    this.task = context.task();
    this.settings = settings;
    this.pollThreads = context.threads("local-poll", true);
    this.leaseMs = settings.visibilityTimeout().toMillis();
  }

  /**
   * Rows handed out again because a consumer held them and did not settle them: taken back as this
   * one started, or claimed again after their lease ran out. Not the rows a handler retried, nor
   * those a stop gave back. No {@link #reconnects()}: an embedded store has no connection to lose.
   */
  @Override
  public OptionalLong redeliveries() {
    return OptionalLong.of(redeliveries.sum());
  }

  @Override
  public synchronized void start(DeliverySink sink) {
    if (started || closed) {
      throw new IllegalStateException("local source of task '" + task.name() + "' was started");
    }
    this.store = LocalStore.acquire(task, settings.dataDir());
    try {
      this.lock = ConsumerLock.acquire(task, settings.dataDir(), settings.queue());
    } catch (RuntimeException e) {
      store.release();
      throw e;
    }
    takeBackWhatAStoppedConsumerHeld();
    this.sink = sink;
    this.settler = new Settler(store, wake);
    store.subscribe(settings.queue(), wake);
    receiving = true;
    connected = true;
    started = true;
    poller = pollThreads.newThread(this::pollLoop);
    poller.start();
    log.info(
        "task '{}': consuming local queue '{}' from {}",
        task.name(),
        settings.queue(),
        store.file());
  }

  /**
   * Rows of the queue still leased were left by a consumer that stopped without giving them back
   * (killed, or its store failed): this one holds the queue's lock now, so none other can be
   * handling them. They are due again at once, in their old place, ahead of the key's later rows.
   */
  private void takeBackWhatAStoppedConsumerHeld() {
    try {
      int taken = store.takeBackLeases(settings.queue());
      redeliveries.add(taken);
      if (taken > 0) {
        log.info(
            "task '{}': took back {} message(s) of local queue '{}' that a stopped consumer held",
            task.name(),
            taken,
            settings.queue());
      }
    } catch (SQLException e) {
      lock.release();
      store.release();
      throw new ReadyFailedException(
          task.origin()
              + ": task '"
              + task.name()
              + "': local store "
              + store.file()
              + " failed: "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public void pause() {
    paused = true;
  }

  @Override
  public void resume() {
    paused = false;
    wake();
  }

  @Override
  public void stopReceiving() {
    synchronized (deliverLock) {
      receiving = false;
    }
  }

  @Override
  public void flush() {
    Settler s;
    synchronized (this) {
      s = settler;
    }
    if (s == null) {
      return;
    }
    try {
      s.applyQueued();
    } catch (SQLException e) {
      log.warn(
          "task '{}': could not write settlements to the local store {} ({}); they stay "
              + "queued and are retried, unsettled messages are delivered again",
          task.name(),
          store.file(),
          e.getMessage());
    }
  }

  /**
   * Stops the poll thread and waits for it: it applies what is queued, gives back every row still
   * held, and releases the store. Idempotent.
   */
  @Override
  public void close() {
    Thread thread;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      thread = poller;
    }
    stopReceiving();
    closing = true;
    if (thread == null) {
      return;
    }
    wake();
    try {
      if (thread != Thread.currentThread()) {
        thread.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("task '{}': interrupted while closing the local source", task.name());
    }
  }

  @Override
  public String destinationName() {
    return settings.queue();
  }

  @Override
  public OptionalLong backlog() {
    LocalStore s;
    synchronized (this) {
      if (!started || closed) {
        return OptionalLong.empty();
      }
      s = store;
    }
    try {
      return OptionalLong.of(s.countVisible(settings.queue()));
    } catch (SQLException e) {
      log.debug("task '{}': backlog of local queue '{}' unknown", task.name(), settings.queue(), e);
      return OptionalLong.empty();
    }
  }

  @Override
  public boolean isConnected() {
    return connected && !closing;
  }

  private void pollLoop() {
    long renewEvery = Math.max(1, leaseMs / 3);
    long nextRenewal = System.currentTimeMillis() + renewEvery;
    int failures = 0;
    try {
      while (!closing) {
        long now = System.currentTimeMillis();
        long wakeAt;
        try {
          settler.applyQueued();
          if (now >= nextRenewal) {
            settler.renewAll(now + leaseMs);
            nextRenewal = now + renewEvery;
          }
          wakeAt = Math.min(now + settings.pollInterval().toMillis(), nextRenewal);
          long[] nextVisibleAt = {Long.MAX_VALUE};
          if (fetch(nextVisibleAt)) {
            continue;
          }
          wakeAt = Math.min(wakeAt, nextVisibleAt[0]);
          if (failures > 0) {
            log.info("task '{}': local store {} works again", task.name(), store.file());
          }
          failures = 0;
          connected = true;
        } catch (SQLException | RuntimeException e) {
          failures++;
          connected = false;
          log.error(
              "task '{}': local store {} failed (attempt {}): {}",
              task.name(),
              store.file(),
              failures,
              e.toString(),
              e);
          wakeAt =
              now
                  + Math.min(
                      MAX_BACKOFF_MS, settings.pollInterval().toMillis() << Math.min(failures, 10));
        }
        // while the store fails, settlements and publishes do not cut the backoff short
        await(wakeAt, failures == 0);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      giveBack();
      store.unsubscribe(settings.queue(), wake);
      store.release();
      lock.release();
      connected = false;
    }
  }

  /**
   * Hands prefetched rows to the sink until paused; claims a new batch only once they are all
   * handed out.
   *
   * @return whether a full batch was claimed and handed out, so more may be due at once
   */
  private boolean fetch(long[] nextVisibleAt) throws SQLException {
    synchronized (deliverLock) {
      if (!receiving || paused) {
        return false;
      }
      boolean full = false;
      if (prefetched.isEmpty()) {
        LocalStore.Claimed claimed = store.claim(settings.queue(), settings.batchSize(), leaseMs);
        redeliveries.add(claimed.leaseRanOut());
        for (StoredMessage m : claimed.messages()) {
          LocalAcknowledger acknowledger = new LocalAcknowledger(task.name(), m, settler, leaseMs);
          settler.hold(acknowledger);
          prefetched.add(acknowledger);
        }
        nextVisibleAt[0] = claimed.nextVisibleAt();
        full = claimed.messages().size() == settings.batchSize();
      }
      // the dispatcher pauses from inside accept when a lane fills up: stop right there, the
      // rest stays claimed (leases renewed) until resume
      while (!paused && receiving && !prefetched.isEmpty()) {
        LocalAcknowledger acknowledger = prefetched.poll();
        if (!acknowledger.isStale()) {
          deliver(acknowledger);
        }
      }
      return full && prefetched.isEmpty();
    }
  }

  private void deliver(LocalAcknowledger acknowledger) {
    StoredMessage m = acknowledger.stored();
    try {
      sink.accept(new Delivery(acknowledger.delivered(), acknowledger));
    } catch (RuntimeException e) {
      log.error(
          "task '{}': the dispatcher refused message {}; giving it back", task.name(), m.id(), e);
      settler.submit(new Settlement(Settlement.Kind.RELEASE, m, 0, null));
    }
  }

  private void giveBack() {
    try {
      settler.close();
    } catch (SQLException | RuntimeException e) {
      log.error(
          "task '{}': could not give back unsettled messages to local store {}; they are "
              + "delivered again when their lease runs out ({})",
          task.name(),
          store.file(),
          settings.visibilityTimeout(),
          e);
    }
  }

  /** Waits until {@code wakeAt}, {@link #close()} or, if {@code wakeable}, a {@link #wake()}. */
  private void await(long wakeAt, boolean wakeable) throws InterruptedException {
    signalLock.lock();
    try {
      long nanos = TimeUnit.MILLISECONDS.toNanos(wakeAt - System.currentTimeMillis());
      while (!(woken && wakeable) && !closing && nanos > 0) {
        nanos = signal.awaitNanos(nanos);
      }
      woken = false;
    } finally {
      signalLock.unlock();
    }
  }

  private void wake() {
    signalLock.lock();
    try {
      woken = true;
      signal.signal();
    } finally {
      signalLock.unlock();
    }
  }
}
