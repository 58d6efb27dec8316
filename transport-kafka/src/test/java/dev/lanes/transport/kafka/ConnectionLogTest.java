package dev.lanes.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ConnectionLogTest {

  private final ListAppender<ILoggingEvent> records = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ConnectionLog.class);

  @BeforeEach
  void listen() {
    records.start();
    logger.addAppender(records);
    logger.setLevel(Level.INFO);
  }

  @AfterEach
  void stopListening() {
    logger.detachAppender(records);
    logger.setLevel(null);
  }

  @Test
  void logsOneRecordWhenTheLastConnectionGoesAndOneWhenOneIsBack() {
    ConnectionLog connection = new ConnectionLog("orders", "the poll loop", new LongAdder());
    connection.observe(false, 0); // not yet connected at start: nothing to say
    connection.observe(true, 10);
    for (long t = 1_000; t < 60_000; t += 1_000) {
      connection.observe(false, t); // a minute of failed attempts
    }
    connection.observe(true, 61_000);
    connection.observe(true, 62_000);

    assertThat(records.list)
        .extracting(ILoggingEvent::getLevel, ILoggingEvent::getFormattedMessage)
        .containsExactly(
            tuple(
                Level.WARN,
                "task 'orders': the poll loop lost every connection to the Kafka broker; the"
                    + " client reconnects (reconnect.backoff.ms, reconnect.backoff.max.ms) and"
                    + " nothing is consumed meanwhile"),
            tuple(
                Level.INFO,
                "task 'orders': the poll loop connected to the Kafka broker again after 60000"
                    + " ms"));
  }

  @Test
  void countsOneReconnectPerOutageAndNoneForTheFirstConnection() {
    LongAdder reconnects = new LongAdder();
    ConnectionLog connection = new ConnectionLog("orders", "the poll loop", reconnects);
    connection.observe(false, 0);
    connection.observe(true, 10);
    connection.observe(true, 20);
    assertThat(reconnects.sum()).as("the first connection is no reconnect").isZero();

    for (int outage = 0; outage < 3; outage++) {
      long t = 1_000L * (outage + 1);
      connection.observe(false, t);
      connection.observe(false, t + 100); // attempts failing during the outage
      connection.observe(true, t + 200);
      connection.observe(true, t + 300);
    }
    assertThat(reconnects.sum()).isEqualTo(3);
  }
}
