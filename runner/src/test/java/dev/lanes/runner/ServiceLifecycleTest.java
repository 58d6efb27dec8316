package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lanes.runner.ServiceHarness.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real background service (child JVM, memory transport, seeded) driven through the control
 * commands: start, status, metrics, a live re-shard mid-stream, stop.
 */
class ServiceLifecycleTest {

  private static final int MESSAGES = 8000;
  private static final int ORDERS = 64;

  @TempDir Path dir;

  private ServiceHarness service;

  @AfterEach
  void cleanUp() {
    if (service != null) {
      service.close();
    }
  }

  private String conf(int lanes, Path record) {
    return """
        system { transport = memory, deliverBy = order_id, http.port = 0 }
        orders {
          handler = dev.lanes.runner.ScriptedHandler
          consumerNum = %d
          script.work = 2ms
          record.file = "%s"
          seed { generator = dev.lanes.samples.SampleOrders, count = %d, orders = %d }
        }
        """
        .formatted(lanes, record, MESSAGES, ORDERS);
  }

  @Test
  void startStatusUpdateMidStreamAndStopKeepPerKeyOrderAndCleanUp() throws IOException {
    Path record = dir.resolve("handled.jsonl");
    service = new ServiceHarness(dir, "orders");
    service.writeConf(conf(4, record));

    Result start = service.command("start");
    assertThat(start.code()).as(start + service.diagnostics()).isZero();
    assertThat(start.out()).contains("started development/orders").contains("state: RUNNING");
    assertThat(Files.getPosixFilePermissions(service.files().socket()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(service.runDir))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    long pid = service.pid();
    assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

    String http = ServiceHarness.fact(start.out(), "http");
    assertThat(service.fact("lanes")).isEqualTo("4");
    assertThat(service.fact("transport")).isEqualTo("memory (memory)");

    // the first scrape once a handled message made the ack series exist, so that it can grow
    String[] first = {""};
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              first[0] = service.get(http, "/metrics").body();
              return first[0].contains("lanes_outcome=\"ack\"");
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> service.number("acked") >= 300);
    String second = service.get(http, "/metrics").body();
    String task = "lanes_task=\"orders\"";
    assertThat(
            ServiceHarness.sample(
                second, "messaging_process_duration_seconds_count", task, "lanes_outcome=\"ack\""))
        .isGreaterThan(
            ServiceHarness.sample(
                first[0],
                "messaging_process_duration_seconds_count",
                task,
                "lanes_outcome=\"ack\""));
    assertThat(
            ServiceHarness.sample(
                second,
                "messaging_client_consumed_messages_total",
                task,
                "messaging_system=\"memory\""))
        .isGreaterThan(0);
    assertThat(ServiceHarness.sample(second, "lanes_lane_depth", task, "lanes_lane=\"3\""))
        .isNotNegative();
    assertThat(second)
        .contains(
            "jvm_memory_used_bytes",
            "jvm_threads_live_threads",
            "process_cpu_usage",
            "jvm_gc_",
            "lanes_inflight{",
            "lanes_backlog{",
            "lanes_task_state{");

    service.writeConf(conf(16, record));
    long ackedBefore = service.number("acked");
    Result update = service.command("update");
    assertThat(update.code()).as(update.toString()).isZero();
    assertThat(update.out()).contains("applied live: consumerNum 4 -> 16");
    assertThat(ackedBefore).as("the update came mid-stream").isLessThan(MESSAGES - 1000);
    assertThat(service.fact("lanes")).isEqualTo("16");
    assertThat(service.get(http, "/test/ping").body())
        .as("a route added through HttpRoutes")
        .isEqualTo("orders on memory with 16 lanes\n");
    assertThat(service.get(http, "/health/live").statusCode()).isEqualTo(200);
    assertThat(service.get(http, "/health/ready").body()).contains("\"status\":\"UP\"");
    assertThat(service.get(http, "/health/ready/x").statusCode()).isEqualTo(404);

    await().atMost(Duration.ofSeconds(60)).until(() -> service.number("acked") == MESSAGES);
    Result stop = service.command("stop");
    assertThat(stop.code()).as(stop.toString()).isZero();
    assertThat(stop.out())
        .contains("stopped cleanly")
        .contains("received " + MESSAGES + ", acked " + MESSAGES);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(service.files().socket()).doesNotExist();
    assertThat(service.files().pid()).doesNotExist();

    assertPerKeyOrder(record, ackedBefore);
    Result after = service.command("status");
    assertThat(after.code()).isEqualTo(ExitCodes.NOT_RUNNING);
    assertThat(after.err()).contains("no service running for development/orders");
  }

  private static void assertPerKeyOrder(Path record, long handledBeforeUpdate) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<Long, List<Long>> seqs = new HashMap<>();
    Set<Integer> lanesLater = new HashSet<>();
    List<String> lines = Files.readAllLines(record);
    assertThat(lines).hasSize(MESSAGES);
    for (int i = 0; i < lines.size(); i++) {
      JsonNode line = json.readTree(lines.get(i));
      seqs.computeIfAbsent(line.get("order").asLong(), k -> new ArrayList<>())
          .add(line.get("seq").asLong());
      if (i > handledBeforeUpdate + 500) {
        lanesLater.add(line.get("lane").asInt());
      }
    }
    assertThat(seqs).hasSize(ORDERS);
    seqs.forEach(
        (order, list) ->
            assertThat(list)
                .as("order %s", order)
                .isSorted()
                .doesNotHaveDuplicates()
                .hasSize(MESSAGES / ORDERS));
    assertThat(lanesLater).as("lanes used after re-sharding to 16").anyMatch(lane -> lane >= 4);
  }
}
