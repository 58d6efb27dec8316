package dev.lanes.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryQueuesTest {

  private final RetryQueues queues =
      new RetryQueues(
          "q.work",
          List.of(
              Duration.ofSeconds(1),
              Duration.ofSeconds(30),
              Duration.ofMinutes(5),
              Duration.ofHours(1)));

  @Test
  void namesEachTierAfterItsDelay() {
    assertThat(queues.tiers())
        .extracting(RetryQueues.Tier::queue)
        .containsExactly(
            "q.work.retry.1s", "q.work.retry.30s", "q.work.retry.5m", "q.work.retry.1h");
    assertThat(RetryQueues.label(Duration.ofMillis(1500))).isEqualTo("1500ms");
  }

  @Test
  void waitsInTheSmallestTierNotShorterThanTheDelay() {
    assertThat(queues.route(Duration.ofMillis(200), "q.work").queue()).isEqualTo("q.work.retry.1s");
    assertThat(queues.route(Duration.ofSeconds(1), "q.work").queue()).isEqualTo("q.work.retry.1s");
    assertThat(queues.route(Duration.ofMillis(1001), "q.work").queue())
        .isEqualTo("q.work.retry.30s");
    assertThat(queues.route(Duration.ofMinutes(4), "q.work").perMessageTtl()).isNull();
  }

  @Test
  void delaysBeyondTheLastTierWaitExactlyTheirDelayInTheLongQueue() {
    RetryQueues.Route route = queues.route(Duration.ofHours(2).plusNanos(1), "q.work");

    assertThat(route.queue()).isEqualTo("q.work.retry.long");
    assertThat(route.perMessageTtl()).isEqualTo(Duration.ofHours(2).plusMillis(1));
  }

  @Test
  void aZeroDelayGoesStraightBackToTheQueueItCameFrom() {
    assertThat(queues.route(Duration.ZERO, "q.work.2").queue()).isEqualTo("q.work.2");
  }
}
