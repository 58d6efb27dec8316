package dev.lanes.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BrokerTransportTest {

  /** A transport that opens nothing: only what the base class holds is under test. */
  private static final class Named extends BrokerTransport {
    Named(String name, String messagingSystem, StopMode defaultStopMode) {
      super(name, messagingSystem, defaultStopMode);
    }

    @Override
    public Source openSource(TransportContext context) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Publisher openPublisher(TransportContext context) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void answersTheNameMessagingSystemAndStopModeItWasGiven() {
    Transport transport = new Named("amqp", "rabbitmq", StopMode.FINISH_RUNNING);

    assertThat(transport.name()).isEqualTo("amqp");
    assertThat(transport.messagingSystem()).isEqualTo("rabbitmq");
    assertThat(transport.defaultStopMode()).isEqualTo(StopMode.FINISH_RUNNING);
  }

  @Test
  void refusesAMissingNameOrStopMode() {
    assertThatThrownBy(() -> new Named(null, "nsq", StopMode.DRAIN))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Named("nsq", "nsq", null))
        .isInstanceOf(NullPointerException.class);
  }
}
