package dev.lanes.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.spi.RetrySettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static Backoff backoff(
      int maxAttempts, long initialMs, double multiplier, long maxMs, double jitter, long parkMs) {
    return new Backoff(
        new RetrySettings(
            maxAttempts,
            Duration.ofMillis(initialMs),
            multiplier,
            Duration.ofMillis(maxMs),
            jitter,
            Duration.ofMillis(parkMs)));
  }

  @Test
  void growsExponentiallyByTheMultiplier() {
    Backoff b = backoff(10, 100, 2.0, 60_000, 0, 0);
    assertThat(b.delayAfter(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(b.delayAfter(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(b.delayAfter(3)).isEqualTo(Duration.ofMillis(400));
    assertThat(b.delayAfter(4)).isEqualTo(Duration.ofMillis(800));
  }

  @Test
  void supportsFractionalAndUnitMultipliers() {
    Backoff b = backoff(10, 1000, 1.5, 60_000, 0, 0);
    assertThat(b.delayAfter(1)).isEqualTo(Duration.ofMillis(1000));
    assertThat(b.delayAfter(2)).isEqualTo(Duration.ofMillis(1500));
    assertThat(b.delayAfter(3)).isEqualTo(Duration.ofMillis(2250));
    Backoff constant = backoff(10, 300, 1.0, 60_000, 0, 0);
    assertThat(constant.delayAfter(1))
        .isEqualTo(constant.delayAfter(7))
        .isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void capsAtMaxDelay() {
    Backoff b = backoff(100, 1000, 2.0, 5000, 0, 0);
    assertThat(b.delayAfter(3)).isEqualTo(Duration.ofMillis(4000));
    assertThat(b.delayAfter(4)).isEqualTo(Duration.ofMillis(5000));
    assertThat(b.delayAfter(5)).isEqualTo(Duration.ofMillis(5000));
    assertThat(b.delayAfter(60)).isEqualTo(Duration.ofMillis(5000));
    assertThat(b.delayAfter(5000)).isEqualTo(Duration.ofMillis(5000));
  }

  @Test
  void treatsAttemptsBelowOneAsTheFirst() {
    Backoff b = backoff(10, 100, 2.0, 60_000, 0, 0);
    assertThat(b.delayAfter(0)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void spreadsEachDelayWithinPlusOrMinusJitter() {
    Backoff b = backoff(10, 1000, 2.0, 60_000, 0.2, 0);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 5_000; i++) {
      long ms = b.delayAfter(1).toMillis();
      min = Math.min(min, ms);
      max = Math.max(max, ms);
      assertThat(ms).isBetween(800L, 1200L);
      assertThat(b.delayAfter(3).toMillis()).isBetween(3200L, 4800L);
    }
    // the spread is used both ways, not only one side of the base
    assertThat(min).isLessThan(850);
    assertThat(max).isGreaterThan(1150);
  }

  @Test
  void appliesJitterAroundTheCappedDelay() {
    // documented: capped at maxDelay, then spread by +/-jitter
    Backoff b = backoff(100, 1000, 2.0, 5000, 0.1, 0);
    for (int i = 0; i < 1_000; i++) {
      assertThat(b.delayAfter(20).toMillis()).isBetween(4500L, 5500L);
    }
  }

  @Test
  void allowsRetriesUntilMaxAttempts() {
    Backoff b = backoff(3, 100, 2.0, 1000, 0, 0);
    assertThat(b.mayRetry(1)).isTrue();
    assertThat(b.mayRetry(2)).isTrue();
    assertThat(b.mayRetry(3)).isFalse();
    assertThat(b.mayRetry(4)).isFalse();
    Backoff once = backoff(1, 100, 2.0, 1000, 0, 0);
    assertThat(once.mayRetry(1)).isFalse();
  }

  @Test
  void parksInProcessUpToAndIncludingTheParkLimit() {
    Backoff b = backoff(3, 100, 2.0, 1000, 0, 500);
    assertThat(b.parksInProcess(Duration.ZERO)).isTrue();
    assertThat(b.parksInProcess(Duration.ofMillis(500))).isTrue();
    assertThat(b.parksInProcess(Duration.ofMillis(501))).isFalse();
    assertThat(b.parksInProcess(Duration.ofMinutes(5))).isFalse();
    Backoff never = backoff(3, 100, 2.0, 1000, 0, 0);
    assertThat(never.parksInProcess(Duration.ZERO)).isTrue();
    assertThat(never.parksInProcess(Duration.ofMillis(1))).isFalse();
  }
}
