package dev.lanes.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.lanes.api.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SettleOnceAcknowledgerTest {

  private final Message message = Message.builder().id("m-1").payload("{}").build();
  private final Logger logger = (Logger) LoggerFactory.getLogger(SettleOnceAcknowledger.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  /** Records each broker call it would make. */
  private class Recording extends SettleOnceAcknowledger {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> ignored = new CopyOnWriteArrayList<>();
    final AtomicBoolean takenBack = new AtomicBoolean();

    Recording() {
      super("orders", message);
    }

    @Override
    protected void onAck() {
      calls.add("ack");
    }

    @Override
    protected void onRetry(Duration delay, int attempt) {
      calls.add("retry " + attempt);
    }

    @Override
    protected void onReject(String reason, int attempts) {
      calls.add("reject " + reason);
    }

    @Override
    protected boolean takenBack() {
      return takenBack.get();
    }

    @Override
    protected void ignoredTakenBack(String what) {
      ignored.add(what);
    }
  }

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  @Test
  void aSecondSettleReachesNoBrokerAndWarnsOnceNamingTaskMessageAndTheWinner() {
    Recording a = new Recording();
    a.reject("bad payload", 1);
    a.ack();

    assertThat(a.calls).containsExactly("reject bad payload");
    assertThat(a.isSettled()).isTrue();
    List<ILoggingEvent> warnings =
        logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getFormattedMessage())
        .contains("task orders")
        .contains("ack of " + message)
        .contains("already settled by reject");
  }

  @Test
  void aSettleAfterTheBrokerTookTheDeliveryBackReachesNoBrokerAndDoesNotThrow() {
    Recording a = new Recording();
    a.takenBack.set(true);
    a.retry(Duration.ofSeconds(1), 2);

    assertThat(a.calls).isEmpty();
    assertThat(a.ignored).containsExactly("retry");
    assertThat(logs.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
  }

  @Test
  void aFailedSettleThrowsToTheCallerAndStillCountsAsTheSettle() {
    Recording a =
        new Recording() {
          @Override
          protected void onReject(String reason, int attempts) {
            calls.add("reject " + reason);
            throw new IllegalStateException("publish buffer full");
          }
        };
    assertThatThrownBy(() -> a.reject("bad", 1)).hasMessage("publish buffer full");
    a.reject("bad", 1);
    assertThat(a.calls).containsExactly("reject bad");
  }

  @Test
  void racingSettlesMakeExactlyOneBrokerCall() throws Exception {
    for (int round = 0; round < 200; round++) {
      Recording a = new Recording();
      CountDownLatch go = new CountDownLatch(1);
      Thread[] threads = {
        new Thread(() -> settle(go, a::ack), "settle-ack"),
        new Thread(() -> settle(go, () -> a.retry(Duration.ZERO, 2)), "settle-retry"),
        new Thread(() -> settle(go, () -> a.reject("r", 1)), "settle-reject")
      };
      for (Thread t : threads) {
        t.start();
      }
      go.countDown();
      for (Thread t : threads) {
        t.join();
      }
      assertThat(a.calls).as("round %d", round).hasSize(1);
    }
  }

  private static void settle(CountDownLatch go, Runnable settle) {
    try {
      go.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    settle.run();
  }
}
