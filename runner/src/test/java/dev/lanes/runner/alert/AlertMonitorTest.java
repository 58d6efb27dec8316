package dev.lanes.runner.alert;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.lanes.api.Message;
import dev.lanes.dispatch.TaskStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

class AlertMonitorTest {

  private final ListAppender<ILoggingEvent> records = new ListAppender<>();
  private final Logger alertLogger = (Logger) LoggerFactory.getLogger("dev.lanes.alert");
  private long now;
  private AlertMonitor monitor;

  @BeforeEach
  void setUp() {
    records.start();
    alertLogger.addAppender(records);
    alertLogger.setLevel(Level.INFO); // the end of an incident is an INFO record
    AlertSettings settings =
        new AlertSettings(
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            100,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofMinutes(1));
    monitor =
        new AlertMonitor(new AlertLog("t", settings.interval(), () -> now), settings, () -> now);
  }

  @AfterEach
  void tearDown() {
    alertLogger.detachAppender(records);
    alertLogger.setLevel(null);
  }

  private void advance(long seconds) {
    now += TimeUnit.SECONDS.toNanos(seconds);
  }

  private static TaskStats stats(long acked, long inFlight) {
    return new TaskStats(acked + inFlight, acked, 0, 0, 0, inFlight);
  }

  private List<ILoggingEvent> alerts(String kind) {
    return records.list.stream().filter(e -> kind.equals(field(e, "kind"))).toList();
  }

  private static Object field(ILoggingEvent event, String key) {
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    return pairs == null
        ? null
        : pairs.stream().filter(p -> p.key.equals(key)).map(p -> p.value).findFirst().orElse(null);
  }

  @Test
  void aStallAlertsOncePerIncidentAndAgainOnlyAfterProgressAndTheInterval() {
    monitor.tick(stats(10, 3), OptionalLong.of(50));
    advance(4);
    monitor.tick(stats(10, 3), OptionalLong.of(50));
    assertThat(alerts("stalled")).isEmpty();
    advance(1);
    monitor.tick(stats(10, 3), OptionalLong.of(50));
    advance(10);
    monitor.tick(stats(10, 3), OptionalLong.of(50));
    assertThat(alerts("stalled")).hasSize(1);
    assertThat(field(alerts("stalled").get(0), "stalledForMs")).isEqualTo(5000L);
    assertThat(alerts("stalled").get(0).getMarkerList()).contains(AlertLog.FATAL);

    monitor.tick(stats(11, 3), OptionalLong.of(50)); // progress re-arms
    advance(6);
    monitor.tick(stats(11, 3), OptionalLong.of(50)); // stalled again within the interval
    assertThat(alerts("stalled")).hasSize(1);
    advance(60);
    monitor.tick(stats(12, 3), OptionalLong.of(50));
    advance(6);
    monitor.tick(stats(12, 3), OptionalLong.of(50));
    assertThat(alerts("stalled")).hasSize(2);
    assertThat(field(alerts("stalled").get(1), "suppressed")).isEqualTo(1L);
  }

  @Test
  void anOpenBreakerIsOneFatalRecordAndItsClosingOneInfoRecord() {
    monitor.circuitOpened(80.0f, 16, 20, "java.io.IOException: connection refused");
    advance(70);
    monitor.tick(stats(10, 3), OptionalLong.of(50)); // no progress while open: not a stall too
    monitor.circuitClosed(70_000, 3);

    assertThat(alerts("circuit_open"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getMarkerList()).contains(AlertLog.FATAL);
              assertThat(field(e, "uri")).isEqualTo(AlertLog.URI);
              assertThat(field(e, "failureRate")).isEqualTo(80.0f);
              assertThat(field(e, "failedCalls")).isEqualTo(16);
              assertThat(field(e, "calls")).isEqualTo(20);
              assertThat(field(e, "lastFailure"))
                  .isEqualTo("java.io.IOException: connection refused");
            });
    assertThat(alerts("circuit_closed"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.INFO);
              assertThat(e.getMarkerList()).isNullOrEmpty();
              assertThat(field(e, "uri")).isEqualTo(AlertLog.URI);
              assertThat(field(e, "openMs")).isEqualTo(70_000L);
              assertThat(field(e, "probes")).isEqualTo(3);
            });
    assertThat(alerts("stalled")).isEmpty();

    advance(10); // closed: a stall counts again
    monitor.tick(stats(10, 3), OptionalLong.of(50));
    assertThat(alerts("stalled")).hasSize(1);
  }

  @Test
  void noWorkIsNoStall() {
    monitor.tick(stats(10, 0), OptionalLong.of(0));
    advance(60);
    monitor.tick(stats(10, 0), OptionalLong.of(0));
    assertThat(records.list).isEmpty();
  }

  @Test
  void aBacklogAlertsOnlyAfterStayingAboveTheThresholdLongEnough() {
    monitor.tick(stats(0, 0), OptionalLong.of(150));
    advance(9);
    monitor.tick(stats(1, 0), OptionalLong.of(150));
    monitor.tick(stats(2, 0), OptionalLong.of(90)); // dipped below: the clock starts again
    advance(1);
    monitor.tick(stats(3, 0), OptionalLong.of(150));
    advance(9);
    monitor.tick(stats(4, 0), OptionalLong.of(150));
    assertThat(alerts("backlog")).isEmpty();
    advance(1);
    monitor.tick(stats(5, 0), OptionalLong.of(150));
    advance(1);
    monitor.tick(stats(6, 0), OptionalLong.of(160));
    assertThat(alerts("backlog"))
        .singleElement()
        .satisfies(e -> assertThat(field(e, "backlog")).isEqualTo(150L));
  }

  @Test
  void slowCallsAndExhaustedRetriesAlertButRejectsDoNot() {
    Message message = Message.builder().key("k").payload("{}").build();
    monitor.handled(message, "ack", null, TimeUnit.MILLISECONDS.toNanos(999));
    monitor.handled(message, "ack", null, TimeUnit.MILLISECONDS.toNanos(1500));
    monitor.handled(message, "ack", null, TimeUnit.MILLISECONDS.toNanos(2500));
    monitor.deadLettered(message, "bad payload", false);
    monitor.deadLettered(message, "retries exhausted", true);

    assertThat(alerts("slow_handler"))
        .singleElement()
        .satisfies(e -> assertThat(field(e, "durationMs")).isEqualTo(1500L));
    assertThat(alerts("handler_failed"))
        .singleElement()
        .satisfies(e -> assertThat(field(e, "reason")).isEqualTo("retries exhausted"));
    assertThat(records.list)
        .allSatisfy(
            e -> {
              assertThat(field(e, "uri")).isEqualTo("/business/mq/consumer");
              assertThat(field(e, "task")).isEqualTo("t");
            });
  }

  @Test
  void zeroThresholdsTurnAlertsOff() {
    monitor.settings(
        new AlertSettings(
            Duration.ZERO, Duration.ZERO, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO));
    monitor.handled(
        Message.builder().payload("{}").build(), "ack", null, TimeUnit.SECONDS.toNanos(100));
    monitor.tick(stats(1, 5), OptionalLong.of(1_000_000));
    advance(3600);
    monitor.tick(stats(1, 5), OptionalLong.of(1_000_000));
    monitor.connection(false);
    advance(3600);
    monitor.connection(false);
    assertThat(records.list).isEmpty();
    monitor.abnormalStop("test", Map.of());
    assertThat(alerts("abnormal_stop")).hasSize(1);
  }

  @Test
  void aBrokerUnreachableLongerThanTheThresholdAlertsOnceAndSaysWhenItIsBack() {
    monitor.connection(true);
    monitor.connection(false);
    advance(29);
    monitor.connection(false);
    assertThat(alerts("broker_unreachable")).isEmpty();
    advance(1);
    monitor.connection(false);
    advance(20);
    monitor.connection(false);
    assertThat(alerts("broker_unreachable"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getMarkerList()).contains(AlertLog.FATAL);
              assertThat(field(e, "unreachableForMs")).isEqualTo(30_000L);
              assertThat(field(e, "thresholdMs")).isEqualTo(30_000L);
            });
    assertThat(alerts("broker_reachable")).isEmpty();
    advance(10);
    monitor.connection(true);
    monitor.connection(true);
    assertThat(alerts("broker_reachable"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.INFO);
              assertThat(field(e, "unreachableForMs")).isEqualTo(60_000L);
            });
    assertThat(alerts("broker_unreachable")).hasSize(1);
  }

  @Test
  void aShortDisconnectionWritesNothing() {
    monitor.connection(false);
    advance(29);
    monitor.connection(true);
    advance(29);
    monitor.connection(false);
    advance(29);
    monitor.connection(true);
    assertThat(alerts("broker_unreachable")).isEmpty();
    assertThat(alerts("broker_reachable")).isEmpty();
  }

  @Test
  void noStallAlertWhileTheBrokerIsReportedUnreachable() {
    monitor.connection(false);
    monitor.tick(stats(10, 3), OptionalLong.empty());
    advance(31);
    monitor.connection(false);
    monitor.tick(stats(10, 3), OptionalLong.empty());
    advance(30);
    monitor.connection(false);
    monitor.tick(stats(10, 3), OptionalLong.empty());
    assertThat(alerts("broker_unreachable")).hasSize(1);
    assertThat(alerts("stalled")).isEmpty();
  }
}
