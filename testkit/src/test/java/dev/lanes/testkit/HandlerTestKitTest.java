package dev.lanes.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HandlerTestKitTest {

  /** A user handler: rejects negative amounts, fails once on amount 13, acks the rest. */
  static final class PaymentHandler implements MessageHandler {
    final AtomicInteger unlucky = new AtomicInteger();

    @Override
    public Outcome handle(Message m) {
      long amount = (Long) m.field("amount").orElseThrow();
      if (amount < 0) {
        return Outcome.reject("negative amount");
      }
      if (amount == 13 && unlucky.getAndIncrement() == 0) {
        throw new IllegalStateException("ledger busy");
      }
      return Outcome.ack();
    }
  }

  @Test
  void runsAHandlerThroughLanesWithRetriesAndDeadLetters() throws Exception {
    try (HandlerTestKit kit =
        HandlerTestKit.forHandler(new PaymentHandler())
            .config("consumerNum = 4, deliverBy = order_id")
            .start()) {
      kit.sendJson(
          "{\"order_id\":1,\"amount\":5}",
          "{\"order_id\":1,\"amount\":13}",
          "{\"order_id\":1,\"amount\":-2}",
          "{\"order_id\":2,\"amount\":7}");
      kit.awaitSettled(4, Duration.ofSeconds(10));

      assertThat(kit.acked()).hasSize(3);
      assertThat(kit.deadLetters())
          .singleElement()
          .satisfies(d -> assertThat(d.reason()).isEqualTo("negative amount"));
      List<HandledCall> order1 = kit.callsBy("order_id").get(1L);
      assertThat(order1)
          .extracting(c -> (Long) c.message().field("amount").orElseThrow())
          .as("order 1 in publish order, the retry before the later message")
          .containsExactly(5L, 13L, 13L, -2L);
      assertThat(order1.get(1).failure()).hasMessage("ledger busy");
      assertThat(order1.get(2).message().attempt()).isEqualTo(2);
      assertThat(order1).extracting(HandledCall::lane).containsOnly(1);
    }
  }

  @Test
  void exhaustedRetriesEndInTheDeadLetterWithTheCause() throws Exception {
    MessageHandler alwaysFails =
        m -> {
          throw new IllegalStateException("downstream down");
        };
    try (HandlerTestKit kit =
        HandlerTestKit.forHandler(alwaysFails).config("retry.maxAttempts = 3").start()) {
      kit.sendJson("{\"id\":1}");
      kit.awaitSettled(1, Duration.ofSeconds(10));

      assertThat(kit.calls()).extracting(c -> c.message().attempt()).containsExactly(1, 2, 3);
      assertThat(kit.deadLetters())
          .singleElement()
          .satisfies(
              d ->
                  assertThat(d.reason())
                      .contains("retries exhausted after 3 attempts")
                      .contains("downstream down"));
    }
  }

  @Test
  void awaitSettledTimesOutWithTheCountsSoFar() throws Exception {
    try (HandlerTestKit kit = HandlerTestKit.forHandler(m -> Outcome.ack()).start()) {
      kit.sendJson("{}");
      assertThatThrownBy(() -> kit.awaitSettled(2, Duration.ofMillis(300)))
          .isInstanceOf(TimeoutException.class)
          .hasMessageContaining("expected 2 settled");
    }
  }
}
