package dev.lanes.transport.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeliveryTimeTest {

  private static final long NOW = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  @Test
  void noSchedulingHeaderMeansNow() {
    assertThat(DeliveryTime.dueAt(Map.of("other", "x"), NOW)).isEqualTo(NOW);
  }

  @Test
  void deliverAtAcceptsEpochSecondsWithOptionalFraction() {
    assertThat(DeliveryTime.dueAt(Map.of("deliverAt", "1767225660"), NOW)).isEqualTo(NOW + 60_000);
    assertThat(DeliveryTime.dueAt(Map.of("deliverAt", "1767225660.25"), NOW))
        .isEqualTo(NOW + 60_250);
  }

  @Test
  void deliverAtAcceptsIsoInstantsWithZoneOrOffset() {
    assertThat(DeliveryTime.dueAt(Map.of("deliverAt", "2026-01-01T00:01:00Z"), NOW))
        .isEqualTo(NOW + 60_000);
    assertThat(DeliveryTime.dueAt(Map.of("deliverAt", "2026-01-01T01:01:00+01:00"), NOW))
        .isEqualTo(NOW + 60_000);
  }

  @Test
  void deliverAtInThePastMeansNow() {
    assertThat(DeliveryTime.dueAt(Map.of("deliverAt", "1000"), NOW)).isEqualTo(NOW);
  }

  @Test
  void delayAcceptsHoconAndIsoDurations() {
    assertThat(DeliveryTime.parseDelay("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(DeliveryTime.parseDelay("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DeliveryTime.parseDelay("2 minutes")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DeliveryTime.parseDelay("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DeliveryTime.dueAt(Map.of("delay", " 3s "), NOW)).isEqualTo(NOW + 3000);
  }

  @Test
  void invalidValuesAreRejectedWithTheHeaderAndValueNamed() {
    assertThatThrownBy(() -> DeliveryTime.dueAt(Map.of("delay", "5"), NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header 'delay' = '5'");
    assertThatThrownBy(() -> DeliveryTime.dueAt(Map.of("delay", "-5s"), NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be negative");
    assertThatThrownBy(() -> DeliveryTime.dueAt(Map.of("delay", "soon"), NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected a duration");
    assertThatThrownBy(() -> DeliveryTime.dueAt(Map.of("deliverAt", "2026-01-01T00:00:00"), NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header 'deliverAt' = '2026-01-01T00:00:00'")
        .hasMessageContaining("with zone");
    assertThatThrownBy(() -> DeliveryTime.dueAt(Map.of("deliverAt", "tomorrow"), NOW))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DeliveryTime.dueAt(Map.of("delay", "PT9223372036854775807S"), NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too far in the future");
  }

  @Test
  void bothHeadersAtOnceAreRejected() {
    assertThatThrownBy(
            () -> DeliveryTime.dueAt(Map.of("deliverAt", "1767225660", "delay", "5s"), NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not both");
  }
}
