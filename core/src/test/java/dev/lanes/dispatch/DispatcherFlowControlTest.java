package dev.lanes.dispatch;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.lanes.api.Outcome;
import dev.lanes.testing.Messages;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The source's pause state under interleavings that once lost a resume for good. */
class DispatcherFlowControlTest {

  // The lost resume: the thread that saw a full lane set "paused" and, before its pause reached
  // the source, a lane drained, saw "paused", cleared it and resumed (a no-op: nothing was paused
  // yet); then the pause took effect and nobody was left to resume it. Here the pause is held up
  // inside the source until the lane has made room and either resumed (the bug) or is waiting to
  // reconcile behind the pause (the fix), then the pause takes effect.
  @Test
  void aLaneThatDrainsWhileAPauseIsOnItsWayDoesNotLeaveTheSourcePaused() throws Exception {
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("consumerNum", 1, "channelLength", 2),
            m -> {
              if (m.field("seq").orElseThrow().equals(0L)) {
                firstRunning.countDown();
                releaseFirst.await();
              }
              return Outcome.ack();
            })) {
      Thread lane = laneThread("dispatch", 0);
      h.source.onPause(
          () -> {
            releaseFirst.countDown();
            long started = System.nanoTime();
            eventually()
                .until(
                    () ->
                        h.source.resumes() > 0
                            || lane.getState() == Thread.State.BLOCKED
                            || waited(started, 500));
          });
      h.send(Messages.order(1, 0));
      firstRunning.await();
      h.send(Messages.order(1, 1));
      h.send(Messages.order(1, 2)); // the lane is full: pause, held up in the source

      eventually().atMost(Duration.ofSeconds(3)).until(() -> !h.source.isPaused());
      assertThat(h.log.events())
          .filteredOn(e -> e.equals("pause") || e.equals("resume"))
          .as("the source hears pause, then resume, never the other way round")
          .containsExactly("pause", "resume");
      h.send(Messages.order(1, 3));
      eventually().until(() -> h.calls().size() == 4);
      assertThat(h.flow.stats().stallsResolved()).as("the watchdog had nothing to repair").isZero();
    }
  }

  private static Thread laneThread(String task, int lane) {
    String name = "lanes-" + task + "-lane-" + lane;
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static boolean waited(long sinceNanos, long millis) {
    return System.nanoTime() - sinceNanos >= Duration.ofMillis(millis).toNanos();
  }

  // Defence in depth: if the lanes' wish ever changes without anybody reconciling, the watchdog
  // sees the source paused with every lane at or below low water, resumes it and says so once.
  @Test
  void theWatchdogResumesASourceLeftPausedWithRoomInTheLanes() {
    Logger logger = (Logger) LoggerFactory.getLogger(Dispatcher.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try (DispatcherHarness h = DispatcherHarness.acking(Map.of("consumerNum", 2))) {
      AtomicBoolean wantsPause = new AtomicBoolean(true);
      h.flow.follow(pausedNow -> wantsPause.get());
      assertThat(h.source.isPaused()).isTrue();
      assertThat(h.flow.isPaused()).isTrue();
      wantsPause.set(false); // a lost resume: nobody reconciles

      eventually().atMost(Duration.ofSeconds(4)).until(() -> !h.source.isPaused());
      assertThat(h.flow.isPaused()).isFalse();
      assertThat(h.flow.stats().stallsResolved()).isEqualTo(1);
      assertThat(appender.list)
          .filteredOn(e -> e.getLevel() == Level.ERROR)
          .singleElement()
          .satisfies(
              e ->
                  assertThat(e.getFormattedMessage())
                      .contains("task dispatch")
                      .contains("paused for over 1 s"));
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void thePausedGaugeFollowsTheSource() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("consumerNum", 1, "channelLength", 2),
            m -> {
              release.await();
              return Outcome.ack();
            })) {
      assertThat(h.flow.isPaused()).isFalse();
      for (int seq = 0; seq < 3; seq++) {
        h.send(Messages.order(1, seq));
      }
      eventually().until(() -> h.source.isPaused());
      assertThat(h.flow.isPaused()).isTrue();
      assertThat(h.flow.stats().pauses()).isEqualTo(1);
      release.countDown();
      eventually().until(() -> !h.source.isPaused() && !h.flow.isPaused());
    }
  }
}
