package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runner.ServiceHarness.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real background service whose handler fails at a high rate: its circuit breaker opens once (one
 * FATAL {@code circuit_open} record, however often probes fail) and closes once (one INFO {@code
 * circuit_closed} record).
 */
class BreakerAlertsTest {

  @TempDir Path dir;

  private ServiceHarness service;

  @AfterEach
  void cleanUp() {
    if (service != null) {
      service.close();
    }
  }

  // One lane, no retries: fail 1 is dead-lettered; fail 2 opens the breaker (2 of 2 calls
  // failed); fail 3 is the first probe and fails (open again, no new alert); ok 1 is the second
  // probe and closes it; the other oks follow.
  @Test
  void anOutageIsOneFatalCircuitOpenRecordAndOneInfoCircuitClosedRecord() {
    service = new ServiceHarness(dir, "breaking");
    service.writeConf(
        """
        system {
          transport = memory, consumerNum = 1, http.port = 0, retry.maxAttempts = 1
          breaker { enabled = true, minimumCalls = 2, openFor = 300ms }
        }
        breaking {
          handler = dev.lanes.runner.ScriptedHandler
          seed {
            generator = dev.lanes.runner.ScriptedOrders
            script = ["fail*3", "ok*5"]
          }
        }
        """);

    Result start = service.command("start");
    assertThat(start.code()).as(start + service.diagnostics()).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> service.number("acked") == 5);
    assertThat(service.number("rejected")).isEqualTo(3);
    Result status = service.command("status");
    assertThat(status.out()).as(status.toString()).contains("breaker: closed");
    Result stop = service.command("stop");
    assertThat(stop.code()).as(stop.toString()).isZero();

    List<JsonNode> opened = service.alerts("circuit_open");
    assertThat(opened).as("FATAL circuit_open records").hasSize(1);
    JsonNode open = opened.get(0);
    assertThat(open.path("uri").asText()).isEqualTo("/business/mq/consumer");
    assertThat(open.path("task").asText()).isEqualTo("breaking");
    assertThat(open.path("failedCalls").asInt()).isEqualTo(2);
    assertThat(open.path("calls").asInt()).isEqualTo(2);
    assertThat(open.path("failureRate").asDouble()).isEqualTo(100.0);
    assertThat(open.path("lastFailure").asText()).contains("scripted failure");

    List<JsonNode> closed =
        service.logRecords().stream()
            .filter(r -> r.path("kind").asText().equals("circuit_closed"))
            .toList();
    assertThat(closed).as("circuit_closed records").hasSize(1);
    assertThat(closed.get(0).path("level").asText()).isEqualTo("INFO");
    assertThat(closed.get(0).path("uri").asText()).isEqualTo("/business/mq/consumer");
    assertThat(closed.get(0).path("probes").asInt()).isEqualTo(2);
    assertThat(closed.get(0).path("openMs").asLong()).isGreaterThanOrEqualTo(600);
  }
}
