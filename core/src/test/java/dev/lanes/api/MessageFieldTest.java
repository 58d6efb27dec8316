package dev.lanes.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageFieldTest {

  private static Optional<Object> field(String json, String path) {
    return Message.builder().payload(json).build().field(path);
  }

  @Test
  void returnsLongForIntegers() {
    assertThat(field("{\"order_id\":35432}", "order_id")).contains(35432L);
    assertThat(field("{\"order_id\":-7}", "order_id")).contains(-7L);
    assertThat(field("{\"order_id\":9223372036854775807}", "order_id")).contains(Long.MAX_VALUE);
  }

  @Test
  void returnsIntegersTooBigForALongAsText() {
    assertThat(field("{\"order_id\":123456789012345678901234}", "order_id"))
        .contains("123456789012345678901234");
  }

  @Test
  void returnsStringForStrings() {
    assertThat(field("{\"order_id\":\"A-17\"}", "order_id")).contains("A-17");
    assertThat(field("{\"order_id\":\"35432\"}", "order_id")).contains("35432");
  }

  @Test
  void returnsDoubleForOtherNumbers() {
    assertThat(field("{\"price\":12.5}", "price")).contains(12.5d);
    assertThat(field("{\"price\":1e3}", "price")).contains(1000.0d);
  }

  @Test
  void returnsBooleans() {
    assertThat(field("{\"vip\":true}", "vip")).contains(Boolean.TRUE);
    assertThat(field("{\"vip\":false}", "vip")).contains(Boolean.FALSE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"order_id\":{\"id\":1}}",
        "{\"order_id\":[1,2]}",
        "{\"order_id\":null}",
        "{\"other\":1}",
        "{}"
      })
  void isEmptyForObjectsArraysNullAndAbsentFields(String json) {
    assertThat(field(json, "order_id")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"not json", "", "[{\"order_id\":1}]", "{\"order_id\":", "42", "\"order_id\""})
  void isEmptyForMalformedOrNonObjectPayloads(String payload) {
    assertThat(field(payload, "order_id")).isEmpty();
  }

  @Test
  void looksUnderDataWhenTheTopLevelHasNoSuchField() {
    assertThat(field("{\"data\":{\"order_id\":35432}}", "order_id")).contains(35432L);
  }

  @Test
  void prefersTheTopLevelFieldOverTheOneUnderData() {
    assertThat(field("{\"data\":{\"order_id\":1},\"order_id\":2}", "order_id")).contains(2L);
    assertThat(field("{\"order_id\":2,\"data\":{\"order_id\":1}}", "order_id")).contains(2L);
  }

  @Test
  void followsDottedPathsAtTheTopLevelAndUnderData() {
    assertThat(field("{\"customer\":{\"id\":77,\"name\":\"x\"}}", "customer.id")).contains(77L);
    assertThat(field("{\"data\":{\"customer\":{\"id\":78}}}", "customer.id")).contains(78L);
    assertThat(field("{\"a\":{\"b\":{\"c\":\"deep\"}}}", "a.b.c")).contains("deep");
    assertThat(field("{\"customer\":5}", "customer.id")).isEmpty();
  }

  @Test
  void ignoresFieldsOfTheSameNameInsideSiblings() {
    String json = "{\"meta\":{\"order_id\":1},\"items\":[{\"order_id\":2}],\"order_id\":3}";
    assertThat(field(json, "order_id")).contains(3L);
    assertThat(field("{\"meta\":{\"order_id\":1}}", "order_id")).isEmpty();
  }

  @Test
  void withAttemptKeepsEverythingButTheAttempt() {
    Message first =
        Message.builder()
            .id("m1")
            .key("k")
            .payload("{}")
            .headers(Map.of("h", "v"))
            .origin(new Origin("q", 3, 42))
            .build();
    Message second = first.withAttempt(2);
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.id()).isEqualTo("m1");
    assertThat(second.key()).isEqualTo("k");
    assertThat(second.headers()).containsExactly(Map.entry("h", "v"));
    assertThat(second.origin()).isEqualTo(new Origin("q", 3, 42));
    assertThat(second.timestamp()).isEqualTo(first.timestamp());
    assertThat(first.attempt()).isEqualTo(1);
  }

  @Test
  void refusesAttemptsBelowOne() {
    assertThatThrownBy(() -> Message.builder().attempt(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attempt");
  }

  @Test
  void keepsThePayloadOutOfToString() {
    Message message = Message.builder().payload("{\"secret\":\"hunter2\"}").build();
    assertThat(message.toString()).doesNotContain("hunter2").contains("bytes=20");
  }
}
