package com.example.lanes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.testkit.HandlerTestKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrderLogHandlerTest {

  @TempDir Path dir;

  @Test
  void logsEachOrdersEventsInOrderAndDeadLettersTheRest() throws Exception {
    Path file = dir.resolve("orders.log");
    try (HandlerTestKit kit = HandlerTestKit.forHandler(new OrderLogHandler())
        .config("consumerNum = 4, deliverBy = order_id, orderLog.file = \"" + file + "\"")
        .start()) {
      kit.sendJson(
          "{\"data\":{\"order_id\":7,\"seq\":1}}",
          "{\"data\":{\"order_id\":8,\"seq\":1}}",
          "{\"data\":{\"order_id\":7,\"seq\":2}}",
          "{\"type\":\"ping\"}");
      kit.awaitSettled(4, Duration.ofSeconds(10));

      assertEquals(1, kit.deadLetters().size());
      assertEquals("no integer order_id", kit.deadLetters().get(0).reason());
    }
    List<String> order7 = Files.readAllLines(file).stream().filter(l -> l.startsWith("7 ")).toList();
    assertEquals(List.of("7 1 1", "7 2 1"), order7);
  }
}
