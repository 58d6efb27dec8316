package dev.lanes.runner;

import com.typesafe.config.Config;
import dev.lanes.api.Message;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A seed generator for runner tests: {@code seed.script} lists steps {@code "ACTION*COUNT"} (or
 * {@code "ACTION"} for one), each message an order of its own with {@code data.action} set for
 * {@link ScriptedHandler}, e.g. {@code ["fail*5", "sleep:3000", "ok*30"]}.
 */
public final class ScriptedOrders implements Iterable<Message> {

  private final List<Message> messages = new ArrayList<>();

  public ScriptedOrders(Config seed) {
    long order = 1;
    for (String step : seed.getStringList("script")) {
      String[] parts = step.split("\\*");
      int count = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
      for (int i = 0; i < count; i++, order++) {
        messages.add(
            Message.builder()
                .key(Long.toString(order))
                .payload(
                    "{\"data\":{\"order_id\":"
                        + order
                        + ",\"seq\":1,\"action\":\""
                        + parts[0]
                        + "\"}}")
                .build());
      }
    }
  }

  @Override
  public Iterator<Message> iterator() {
    return messages.iterator();
  }
}
