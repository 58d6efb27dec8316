package dev.lanes.transport.kafka;

import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log record when a poll loop's consumer loses its last broker connection, one when it has a
 * connection again. The Kafka client itself warns at every reconnection attempt (about once a
 * second per client, see the runner's logback.xml, which keeps those quiet), so this is what an
 * operator reads during an outage, beside the runner's {@code broker_unreachable} alert. Each
 * connection regained counts one reconnect.
 */
final class ConnectionLog {

  private static final Logger log = LoggerFactory.getLogger(ConnectionLog.class);

  private final String task;
  private final String client;
  private final LongAdder reconnects;
  private boolean everConnected;
  private boolean connected;
  private long lostAtMillis;

  /**
   * @param reconnects counts every time the consumer has a connection again after losing its last
   */
  ConnectionLog(String task, String client, LongAdder reconnects) {
    this.task = task;
    this.client = client;
    this.reconnects = reconnects;
  }

  /** What the consumer's connection count said at {@code nowMillis}; logs a change once. */
  void observe(boolean connectedNow, long nowMillis) {
    if (connectedNow == connected) {
      return;
    }
    connected = connectedNow;
    if (connectedNow) {
      if (everConnected) {
        reconnects.increment();
        log.info(
            "task '{}': {} connected to the Kafka broker again after {} ms",
            task,
            client,
            nowMillis - lostAtMillis);
      }
      everConnected = true;
    } else if (everConnected) {
      lostAtMillis = nowMillis;
      log.warn(
          "task '{}': {} lost every connection to the Kafka broker; the client reconnects"
              + " (reconnect.backoff.ms, reconnect.backoff.max.ms) and nothing is consumed"
              + " meanwhile",
          task,
          client);
    }
  }
}
