package dev.lanes.testing;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Awaitility polling fast enough that unit tests do not idle in 100 ms steps. */
public final class Eventually {

  private Eventually() {}

  /** Polls every 5 ms for up to 5 s. */
  public static ConditionFactory eventually() {
    return Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5));
  }
}
