package dev.lanes.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class MessageBuilderTest {

  @Test
  void defaultsToAnEmptyPayloadNoHeadersAnUnknownOriginAndTheTimeOfBuild() {
    Message.Builder builder = Message.builder();
    Instant beforeBuild = Instant.now();
    Message message = builder.build();

    assertThat(message.payload()).isEmpty();
    assertThat(message.headers()).isEmpty();
    assertThat(message.attempt()).isEqualTo(1);
    assertThat(message.origin()).isEqualTo(Origin.of("unknown"));
    assertThat(message.timestamp()).isBetween(beforeBuild, Instant.now());
    assertThat(message.id()).isNotBlank();
  }

  @Test
  void refusesNullWhereAMessageHasNoNull() {
    Message.Builder builder = Message.builder();

    assertThatNullPointerException().isThrownBy(() -> builder.payload((byte[]) null));
    assertThatNullPointerException().isThrownBy(() -> builder.headers(null));
    assertThatNullPointerException().isThrownBy(() -> builder.timestamp(null));
    assertThatNullPointerException().isThrownBy(() -> builder.origin(null));
  }
}
