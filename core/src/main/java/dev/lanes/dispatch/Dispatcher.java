package dev.lanes.dispatch;

import dev.lanes.api.MessageHandler;
import dev.lanes.metrics.TaskMetrics;
import dev.lanes.retry.Backoff;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import dev.lanes.spi.Routing;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.TaskConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each delivery to the task's {@code consumerNum} lane threads and keeps memory bounded by
 * pausing the source (whose pause state is owned by {@link SourceFlow}).
 *
 * <p>{@code routing = lane}: each delivery goes to the lane of its {@code deliverBy} key; the
 * source pauses once a lane holds {@code channelLength} and resumes when every lane is down to half
 * of it. {@code routing = key}: deliveries go to one {@link KeyScheduler} from which any idle lane
 * takes the next key with nothing in flight; the source pauses once it holds {@code consumerNum ×
 * channelLength} (queued plus parked retries) and resumes at half of that.
 *
 * <p>{@link #accept} is called by source threads and never waits for a handler; everything else is
 * called by the task runtime.
 */
public final class Dispatcher implements DeliverySink, SourceFlow.Demand {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
  private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final TaskConfig task;
  private final TaskMetrics metrics;
  private final SourceFlow flow;
  private final RoutingKey routingKey;
  private final int channelLength;
  private final int lowWater;
  private final DispatchStats stats;
  private final List<Lane> lanes = new ArrayList<>();
  private final List<LaneInbox> laneInboxes = new ArrayList<>(); // routing = lane
  private final KeyScheduler keyScheduler; // routing = key, else null
  private final int keyBound;
  private final int keyLowWater;
  private final List<Thread> threads = new ArrayList<>();
  private final Watchdog watchdog;
  private final HandlerBreaker breaker;
  private volatile boolean draining;
  private volatile long drainDeadlineNanos = Long.MAX_VALUE;
  private long stalledSinceNanos; // watchdog thread only

  /** A dispatcher that reports handler calls to nobody. */
  public Dispatcher(
      TaskConfig task,
      MessageHandler handler,
      TaskMetrics metrics,
      SourceFlow flow,
      DispatchStats stats) {
    this(task, handler, metrics, flow, stats, HandlingListener.NONE);
  }

  /** A dispatcher without a circuit breaker. */
  public Dispatcher(
      TaskConfig task,
      MessageHandler handler,
      TaskMetrics metrics,
      SourceFlow flow,
      DispatchStats stats,
      HandlingListener listener) {
    this(task, handler, metrics, flow, stats, listener, HandlerBreaker.disabled());
  }

  /**
   * @param flow the source's pause state, shared with the dispatchers this one replaces, if any;
   *     this dispatcher's lanes drive it once {@link #start()}ed
   * @param stats counters shared with the dispatchers this one replaces, if any
   * @param listener told about every handler call and dead letter
   * @param breaker the task's circuit breaker, shared with the dispatchers this one replaces
   */
  public Dispatcher(
      TaskConfig task,
      MessageHandler handler,
      TaskMetrics metrics,
      SourceFlow flow,
      DispatchStats stats,
      HandlingListener listener,
      HandlerBreaker breaker) {
    this.task = task;
    this.breaker = breaker;
    this.metrics = metrics;
    this.flow = flow;
    this.stats = stats;
    this.routingKey = RoutingKey.forField(task.deliverBy());
    this.channelLength = task.channelLength();
    this.lowWater = channelLength / 2;
    this.keyScheduler = task.routing() == Routing.KEY ? new KeyScheduler() : null;
    this.keyBound = (int) Math.min(Integer.MAX_VALUE, (long) task.consumerNum() * channelLength);
    this.keyLowWater = keyBound / 2;
    HandlerInvoker invoker = new HandlerInvoker(handler, task.handlerTimeout(), metrics, breaker);
    Settler settler = new Settler(task.name(), new Backoff(task.retry()), metrics, stats, listener);
    Lane.LaneControl control =
        new Lane.LaneControl() {
          @Override
          public void laneProgressed(Lane lane) {
            if (flow.isPaused()
                && (keyScheduler == null
                    ? lane.depth() <= lowWater
                    : keyScheduler.held() <= keyLowWater)) {
              flow.reconcile();
            }
          }

          @Override
          public long drainDeadlineNanos() {
            return drainDeadlineNanos;
          }
        };
    for (int i = 0; i < task.consumerNum(); i++) {
      Inbox inbox = keyScheduler;
      if (inbox == null) {
        LaneInbox own = new LaneInbox();
        laneInboxes.add(own);
        inbox = own;
      }
      Lane lane = new Lane(i, inbox, invoker, settler, control, stats);
      lanes.add(lane);
      threads.add(new LaneThread(this, lane, "lanes-" + task.name() + "-lane-" + i));
      metrics.laneGauge(i, lane::depth);
    }
    this.watchdog =
        new Watchdog(
            task.name(),
            lanes,
            threads,
            task.handlerTimeout(),
            flow.source().touchInterval(),
            this::checkFlow,
            this::touchHeld);
  }

  /**
   * Starts the lane threads and makes them drive the source's flow; deliveries accepted before this
   * wait in the lanes' queues.
   */
  public void start() {
    threads.forEach(Thread::start);
    flow.follow(this);
  }

  @Override
  public void accept(Delivery delivery) {
    stats.received.increment();
    metrics.received();
    Object key = routingKey.of(delivery.message());
    Envelope envelope = new Envelope(delivery, key);
    if (keyScheduler != null) {
      keyScheduler.add(envelope);
      reconcileIfKeysHeldFull();
      return;
    }
    int lane = key == null ? leastLoaded() : LaneRouter.laneOf(key, lanes.size());
    laneInboxes.get(lane).add(envelope);
    if (lanes.get(lane).depth() >= channelLength) {
      flow.reconcile();
    }
  }

  /**
   * As {@link #accept} for each, in order, with one lock per batch: under {@code routing = key} the
   * key scheduler takes the batch at once; under {@code routing = lane} each lane's share of the
   * batch is queued at once (at most one wake-up per lane). A delivery without a key goes to the
   * least-loaded lane after the shares before it were queued, so every lane still receives in
   * arrival order and "least loaded" sees them.
   */
  @Override
  public void acceptAll(List<Delivery> deliveries) {
    if (deliveries.size() < 2) {
      DeliverySink.super.acceptAll(deliveries);
      return;
    }
    stats.received.add(deliveries.size());
    metrics.received(deliveries.size());
    if (keyScheduler != null) {
      List<Envelope> envelopes = new ArrayList<>(deliveries.size());
      for (Delivery delivery : deliveries) {
        envelopes.add(new Envelope(delivery, routingKey.of(delivery.message())));
      }
      keyScheduler.addAll(envelopes);
      reconcileIfKeysHeldFull();
      return;
    }
    int laneCount = laneInboxes.size();
    int expectedShare = deliveries.size() / laneCount * 2 + 8; // no regrowth unless keys skew
    List<List<Envelope>> shares = new ArrayList<>(laneCount);
    for (int i = 0; i < laneCount; i++) {
      shares.add(new ArrayList<>(expectedShare));
    }
    for (Delivery delivery : deliveries) {
      Object key = routingKey.of(delivery.message());
      Envelope envelope = new Envelope(delivery, key);
      if (key == null) {
        queueShares(shares);
        laneInboxes.get(leastLoaded()).add(envelope);
      } else {
        shares.get(LaneRouter.laneOf(key, lanes.size())).add(envelope);
      }
    }
    queueShares(shares);
    for (Lane lane : lanes) {
      if (lane.depth() >= channelLength) {
        flow.reconcile();
        return;
      }
    }
  }

  /** Past {@code keyBound} messages held by the key scheduler, intake pauses. */
  private void reconcileIfKeysHeldFull() {
    if (keyScheduler.held() >= keyBound) {
      flow.reconcile();
    }
  }

  private void queueShares(List<List<Envelope>> shares) {
    for (int i = 0; i < shares.size(); i++) {
      List<Envelope> share = shares.get(i);
      if (!share.isEmpty()) {
        laneInboxes.get(i).addAll(share);
        share.clear();
      }
    }
  }

  /** The watchdog's touch: what every lane holds, and the shared queue once. */
  private void touchHeld() {
    lanes.forEach(Lane::touchHeld);
    if (keyScheduler != null) {
      keyScheduler.forEachQueued(e -> e.delivery.acknowledger().touch());
    }
  }

  /**
   * Paused once a lane is full, until every lane is at or below low water, and while the circuit
   * breaker is open; while draining the state stays as it is (a drain must not resume a source that
   * stopped receiving).
   */
  @Override
  public boolean wantsPause(boolean pausedNow) {
    if (draining) {
      return pausedNow;
    }
    if (breaker.holdsIntake()) {
      return true;
    }
    if (keyScheduler != null) {
      return keyScheduler.held() >= (pausedNow ? keyLowWater + 1 : keyBound);
    }
    if (!pausedNow) {
      for (Lane lane : lanes) {
        if (lane.depth() >= channelLength) {
          return true;
        }
      }
      return false;
    }
    return !allLanesAtOrBelowLowWater();
  }

  private boolean allLanesAtOrBelowLowWater() {
    if (keyScheduler != null) {
      return keyScheduler.held() <= keyLowWater;
    }
    for (Lane lane : lanes) {
      if (lane.depth() > lowWater) {
        return false;
      }
    }
    return true;
  }

  /**
   * Defence in depth, on the watchdog's thread: a source paused for over a second while every lane
   * is at or below low water means a resume was lost; resume it and say so once.
   */
  private void checkFlow(long nowNanos) {
    breaker.tick(nowNanos);
    if (!flow.isPaused()
        || flow.isHeld()
        || breaker.holdsIntake()
        || draining
        || !allLanesAtOrBelowLowWater()) {
      stalledSinceNanos = 0;
      return;
    }
    if (stalledSinceNanos == 0) {
      stalledSinceNanos = nowNanos;
      return;
    }
    if (nowNanos - stalledSinceNanos < STALL_NANOS) {
      return;
    }
    stalledSinceNanos = 0;
    log.error(
        "task {}: the source stayed paused for over 1 s while every lane was at or below low"
            + " water ({} of channelLength {}); resuming it. This is a flow-control bug in Lanes:"
            + " please report it",
        task.name(),
        lowWater,
        channelLength);
    flow.resolveStall();
  }

  private int leastLoaded() {
    int best = 0;
    int bestLoad = lanes.get(0).load();
    for (int i = 1; i < lanes.size() && bestLoad > 0; i++) {
      int load = lanes.get(i).load();
      if (load < bestLoad) {
        best = i;
        bestLoad = load;
      }
    }
    return best;
  }

  /**
   * Stops the lanes after the source stopped receiving. In {@link StopMode#DRAIN} they finish what
   * they hold; in {@link StopMode#FINISH_RUNNING} they release what they have not started at once
   * and only the running calls finish. Either way, what is not done by {@code deadlineNanos}
   * ({@link System#nanoTime()}) is abandoned unsettled, so the broker redelivers it.
   */
  public Drained drain(long deadlineNanos, StopMode mode) {
    long settledBefore = stats.settled.sum();
    draining = true;
    drainDeadlineNanos = deadlineNanos;
    if (mode == StopMode.FINISH_RUNNING) {
      lanes.forEach(Lane::beginReleasing); // a shared queue: no lane starts what another releases
      lanes.forEach(Lane::stopReleasing);
    } else {
      lanes.forEach(Lane::stop);
    }
    boolean finished = joinAll(deadlineNanos);
    if (!finished) {
      log.warn(
          "task {}: lanes did not finish by the shutdown deadline; abandoning the rest unacked",
          task.name());
      lanes.forEach(Lane::abandon);
      threads.forEach(Thread::interrupt);
      if (!joinAll(System.nanoTime() + TimeUnit.SECONDS.toNanos(2))) {
        log.error(
            "task {}: a handler ignores interruption; its lane thread is left behind", task.name());
      }
    }
    watchdog.close();
    int abandoned = 0;
    int released = 0;
    for (Lane lane : lanes) {
      abandoned += lane.abandonedCount();
      released += lane.releasedCount();
    }
    if (keyScheduler != null) {
      abandoned += keyScheduler.queued(); // left in the shared queue when the lanes gave up
    }
    int settled = (int) (stats.settled.sum() - settledBefore);
    return new Drained(settled - released, released, abandoned);
  }

  /**
   * What {@link #drain} did with the deliveries the lanes held.
   *
   * @param finished settled after the drain began: handled, or parked retries handed back
   * @param released handed back unhandled by a finish-running stop (nothing lost, no attempt)
   * @param abandoned left unsettled at the deadline, for the broker to redeliver
   */
  public record Drained(int finished, int released, int abandoned) {}

  private boolean joinAll(long deadlineNanos) {
    for (Thread thread : threads) {
      long left = deadlineNanos - System.nanoTime();
      try {
        if (left > 0) {
          TimeUnit.NANOSECONDS.timedJoin(thread, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (thread.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /** The lane index of the calling thread if it is one of this dispatcher's lanes, else -1. */
  public int currentLane() {
    return Thread.currentThread() instanceof LaneThread t && t.owner == this ? t.lane.index : -1;
  }

  public int laneCount() {
    return lanes.size();
  }

  /**
   * Deliveries queued in lane {@code lane}, including those waiting behind parked retries; under
   * {@code routing = key} only the latter (the lanes share one queue, see {@link #buffered()}).
   */
  public int depth(int lane) {
    return lanes.get(lane).depth();
  }

  /**
   * Deliveries received and not started (not counting parked retries): in every lane, or in the
   * shared queue of {@code routing = key}.
   */
  public int buffered() {
    int sum = keyScheduler == null ? 0 : keyScheduler.queued();
    for (Lane lane : lanes) {
      sum += lane.depth();
    }
    return sum;
  }

  private static final class LaneThread extends Thread {
    final Dispatcher owner;
    final Lane lane;

    LaneThread(Dispatcher owner, Lane lane, String name) {
      super(lane, name);
      this.owner = owner;
      this.lane = lane;
    }
  }
}
