package dev.lanes.testing;

import dev.lanes.api.Message;
import java.util.Map;

/** Test messages. */
public final class Messages {

  private Messages() {}

  /** A message with a JSON (or any text) payload and no key. */
  public static Message json(String payload) {
    return Message.builder().payload(payload).build();
  }

  /** A message with a JSON payload {@code {"order_id":<orderId>,"seq":<seq>}}. */
  public static Message order(long orderId, int seq) {
    return json("{\"order_id\":" + orderId + ",\"seq\":" + seq + "}");
  }

  public static Message keyed(String key) {
    return Message.builder().key(key).payload("{}").build();
  }

  public static Message withHeader(String name, String value) {
    return Message.builder().headers(Map.of(name, value)).payload("{}").build();
  }
}
