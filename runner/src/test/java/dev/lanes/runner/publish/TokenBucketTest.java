package dev.lanes.runner.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private final AtomicLong now = new AtomicLong(1_000);

  @Test
  void startsFullThenAdmitsTheRateAndSaysHowLongToWait() {
    TokenBucket bucket = new TokenBucket(100, 50, now::get);

    assertThat(bucket.tryTake(50)).as("a full burst").isZero();
    long wait = bucket.tryTake(10);
    assertThat(wait).as("10 messages at 100/s").isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));

    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(bucket.tryTake(10)).isZero();
    assertThat(bucket.tryTake(1)).as("nothing left").isPositive();
  }

  @Test
  void aRefusedRequestTakesNothingAndTheBucketNeverHoldsMoreThanTheBurst() {
    TokenBucket bucket = new TokenBucket(10, 20, now::get);
    assertThat(bucket.tryTake(15)).isZero();
    assertThat(bucket.tryTake(10)).as("5 left, 10 asked").isPositive();
    assertThat(bucket.tryTake(5)).as("the refused request took nothing").isZero();

    now.addAndGet(TimeUnit.HOURS.toNanos(1));
    assertThat(bucket.tryTake(20)).isZero();
    assertThat(bucket.tryTake(1)).as("an idle hour refills to the burst only").isPositive();
  }
}
