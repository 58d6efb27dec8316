package dev.lanes.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.AMQImpl;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class BrokerReplyTest {

  @Test
  void readsTheReplyCodeAndTextOfAChannelCloseBehindAnIoException() {
    ShutdownSignalException closed =
        new ShutdownSignalException(
            false,
            false,
            new AMQImpl.Channel.Close(404, "NOT_FOUND - no queue 'q' in vhost '/'", 50, 10),
            null);
    IOException failure = new IOException(closed);

    assertThat(BrokerReply.of(failure))
        .contains(new BrokerReply(AMQP.NOT_FOUND, "NOT_FOUND - no queue 'q' in vhost '/'"));
    assertThat(BrokerReply.is(failure, AMQP.NOT_FOUND)).isTrue();
    assertThat(BrokerReply.is(failure, AMQP.PRECONDITION_FAILED)).isFalse();
    assertThat(BrokerReply.reason(failure)).isEqualTo("NOT_FOUND - no queue 'q' in vhost '/'");
  }

  @Test
  void readsAConnectionClose() {
    ShutdownSignalException closed =
        new ShutdownSignalException(
            true,
            false,
            new AMQImpl.Connection.Close(
                540,
                "NOT_IMPLEMENTED - queue 'q' in vhost '/' does not support global qos",
                60,
                20),
            null);

    assertThat(BrokerReply.is(closed, AMQP.NOT_IMPLEMENTED)).isTrue();
  }

  @Test
  void withoutABrokerCloseTheReasonIsTheFailuresMessage() {
    IOException failure = new IOException("connection reset");

    assertThat(BrokerReply.of(failure)).isEmpty();
    assertThat(BrokerReply.is(failure, AMQP.NOT_FOUND)).isFalse();
    assertThat(BrokerReply.reason(failure)).isEqualTo("connection reset");
  }
}
