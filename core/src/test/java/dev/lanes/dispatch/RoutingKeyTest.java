package dev.lanes.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Message;
import dev.lanes.testing.Messages;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoutingKeyTest {

  private static Object keyOf(String deliverBy, Message message) {
    return RoutingKey.forField(deliverBy).of(message);
  }

  @Test
  void readsAJsonFieldAtTheTopLevelThenUnderData() {
    assertThat(keyOf("order_id", Messages.json("{\"order_id\":7}"))).isEqualTo(7L);
    assertThat(keyOf("order_id", Messages.json("{\"data\":{\"order_id\":35432}}")))
        .isEqualTo(35432L);
    assertThat(keyOf("order_id", Messages.json("{\"order_id\":7,\"data\":{\"order_id\":35432}}")))
        .isEqualTo(7L);
  }

  @Test
  void followsDottedPaths() {
    assertThat(keyOf("customer.id", Messages.json("{\"customer\":{\"id\":77}}"))).isEqualTo(77L);
    assertThat(keyOf("customer.id", Messages.json("{\"data\":{\"customer\":{\"id\":\"c-9\"}}}")))
        .isEqualTo("c-9");
  }

  @Test
  void keyMeansTheBrokerKeyNotAJsonField() {
    Message message = Message.builder().key("35432").payload("{\"key\":\"from-json\"}").build();
    assertThat(keyOf("key", message)).isEqualTo(35432L);
    assertThat(keyOf("key", Messages.keyed("account-1"))).isEqualTo("account-1");
    assertThat(keyOf("key", Messages.json("{\"key\":1}"))).isNull();
  }

  @Test
  void headerPrefixReadsTheNamedHeader() {
    assertThat(keyOf("header:tenant", Messages.withHeader("tenant", "acme"))).isEqualTo("acme");
    assertThat(keyOf("header:tenant", Messages.withHeader("tenant", "-12"))).isEqualTo(-12L);
    assertThat(keyOf("header:tenant", Messages.withHeader("other", "acme"))).isNull();
  }

  @Test
  void treatsStringsOfDigitsAsIntegers() {
    assertThat(RoutingKey.normalise("35432")).isEqualTo(35432L);
    assertThat(RoutingKey.normalise("-7")).isEqualTo(-7L);
    assertThat(RoutingKey.normalise("007")).isEqualTo(7L);
    assertThat(keyOf("order_id", Messages.json("{\"order_id\":\"35432\"}")))
        .isEqualTo(keyOf("order_id", Messages.json("{\"order_id\":35432}")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"abc", "12a", "+5", "-", "", " 1", "3.5", "1e3", "123456789012345678901234"})
  void keepsOtherStringsAsStrings(String text) {
    assertThat(RoutingKey.normalise(text)).isEqualTo(text);
  }

  @Test
  void turnsOtherScalarsIntoTheirText() {
    assertThat(keyOf("price", Messages.json("{\"price\":12.5}"))).isEqualTo("12.5");
    assertThat(keyOf("vip", Messages.json("{\"vip\":true}"))).isEqualTo("true");
  }

  @Test
  void hasNoKeyWhenTheFieldIsMissingNullOrNotAScalar() {
    RoutingKey byOrder = RoutingKey.forField("order_id");
    assertThat(byOrder.of(Messages.json("{\"other\":1}"))).isNull();
    assertThat(byOrder.of(Messages.json("{\"order_id\":null}"))).isNull();
    assertThat(byOrder.of(Messages.json("{\"order_id\":{\"id\":1}}"))).isNull();
    assertThat(byOrder.of(Messages.json("not json at all"))).isNull();
  }

  @Test
  void hasNoKeyWhenDeliverByIsEmpty() {
    Message message =
        Message.builder().key("k").headers(Map.of("h", "1")).payload("{\"order_id\":1}").build();
    assertThat(keyOf("", message)).isNull();
    assertThat(keyOf("  ", message)).isNull();
    assertThat(keyOf(null, message)).isNull();
  }
}
