package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runner.ServiceHarness.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each alert kind, triggered in a real background service, lands in its JSON log as exactly one
 * FATAL record with the uri, the task, the kind and its facts, however often the incident repeats.
 */
class AlertsTest {

  @TempDir Path dir;

  private ServiceHarness service;

  @AfterEach
  void cleanUp() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void everyAlertKindIsOneFatalJsonRecord() {
    service = new ServiceHarness(dir, "alerting");
    // one lane: 5 messages fail for good, one runs 3 s (slow, and a stall with a backlog behind
    // it), then one blocks past the shutdown deadline (an abnormal stop)
    service.writeConf(
        """
        system {
          transport = memory, consumerNum = 1, channelLength = 2, deliverBy = order_id
          http.port = 0, shutdownTimeout = 1s, retry.maxAttempts = 1
          alerts { slowHandler = 1s, stall = 1s, backlog = 10, backlogFor = 500ms, interval = 5m }
        }
        alerting {
          handler = dev.lanes.runner.ScriptedHandler
          seed {
            generator = dev.lanes.runner.ScriptedOrders
            script = ["fail*5", "sleep:3000", "ok*30", "sleep:1500", "ok*3", "sleep:60000", "ok*20"]
          }
        }
        """);

    Result start = service.command("start");
    assertThat(start.code()).as(start + service.diagnostics()).isZero();
    // 5 rejected, then 35 acked; the 60 s sleeper is running when we stop
    await().atMost(Duration.ofSeconds(30)).until(() -> service.number("acked") == 35);
    assertThat(service.number("rejected")).isEqualTo(5);

    Result stop = service.command("stop");
    assertThat(stop.code()).as(stop.toString()).isEqualTo(ExitCodes.FAILED);
    Matcher unacked = Pattern.compile("left unacked for redelivery (\\d+)").matcher(stop.out());
    assertThat(unacked.find()).as(stop.toString()).isTrue();
    int abandoned = Integer.parseInt(unacked.group(1));
    assertThat(abandoned).isPositive();

    JsonNode failed = one("handler_failed");
    assertThat(failed.path("messageId").asText()).isNotEmpty();
    assertThat(failed.path("attempt").asInt()).isEqualTo(1);
    assertThat(failed.path("reason").asText())
        .contains("retries exhausted after 1 attempts")
        .contains("scripted failure");
    assertThat(failed.path("destination").asText()).isEqualTo("alerting");

    JsonNode slow = one("slow_handler");
    assertThat(slow.path("durationMs").asLong()).isBetween(3000L, 10_000L);
    assertThat(slow.path("thresholdMs").asLong()).isEqualTo(1000);
    assertThat(slow.path("outcome").asText()).isEqualTo("ack");
    assertThat(slow.has("suppressed")).isFalse();

    JsonNode stalled = one("stalled");
    assertThat(stalled.path("stalledForMs").asLong()).isGreaterThanOrEqualTo(1000);
    assertThat(stalled.path("inFlight").asLong()).isPositive();

    JsonNode backlog = one("backlog");
    assertThat(backlog.path("backlog").asLong()).isGreaterThan(10);
    assertThat(backlog.path("threshold").asLong()).isEqualTo(10);
    assertThat(backlog.path("aboveForMs").asLong()).isGreaterThanOrEqualTo(500);

    JsonNode abnormal = one("abnormal_stop");
    assertThat(abnormal.path("abandoned").asInt()).isEqualTo(abandoned);
    assertThat(abnormal.path("shutdownTimeoutMs").asLong()).isEqualTo(1000);

    assertThat(service.logRecords())
        .filteredOn(r -> r.path("level").asText().equals("FATAL"))
        .hasSize(5);
  }

  private JsonNode one(String kind) {
    List<JsonNode> records = service.alerts(kind);
    assertThat(records).as("FATAL records of kind %s", kind).hasSize(1);
    JsonNode record = records.get(0);
    assertThat(record.path("uri").asText()).isEqualTo("/business/mq/consumer");
    assertThat(record.path("task").asText()).isEqualTo("alerting");
    assertThat(record.path("logger").asText()).isEqualTo("dev.lanes.alert");
    assertThat(record.path("message").asText()).startsWith("alerting: ");
    assertThat(record.path("timestamp").asText()).isNotEmpty();
    return record;
  }
}
