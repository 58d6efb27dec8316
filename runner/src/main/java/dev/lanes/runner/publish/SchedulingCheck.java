package dev.lanes.runner.publish;

import dev.lanes.api.Message;
import dev.lanes.runner.publish.PublishRequests.BadRequest;
import dev.lanes.spi.Publisher;
import java.util.List;

/**
 * Publishes parsed requests through a task's publisher, refusing what the transport cannot do:
 * scheduled delivery ({@code deliverAt}, {@code delay}) needs the local transport, the only one
 * that holds a message until a given moment.
 */
final class SchedulingCheck {

  static final String SCHEDULING_TRANSPORT = "local";

  private SchedulingCheck() {}

  /**
   * @return the ids of the published messages, in order
   * @throws BadRequest for scheduling on another transport or a value the transport refused (then
   *     nothing was stored)
   */
  static List<String> publish(Publisher publisher, String transport, List<Message> messages)
      throws Exception {
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      boolean scheduled =
          m.headers().containsKey(PublishRequests.DELIVER_AT)
              || m.headers().containsKey(PublishRequests.DELAY);
      if (scheduled && !SCHEDULING_TRANSPORT.equals(transport)) {
        throw new BadRequest(
            "message "
                + (i + 1)
                + ": deliverAt/delay need transport "
                + SCHEDULING_TRANSPORT
                + " (the embedded queue); this task runs on "
                + transport);
      }
    }
    try {
      return publisher.publishBatch(messages);
    } catch (IllegalArgumentException refused) {
      throw new BadRequest(refused.getMessage());
    }
  }
}
