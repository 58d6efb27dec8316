package dev.lanes.transport.amqp;

import com.rabbitmq.client.Channel;
import java.io.IOException;

/**
 * The consume channel's prefetch ({@code amqp.prefetch}), one window for the whole task. Where the
 * queues accept it, the channel also gets a channel-wide (global) limit of that size: a pause
 * cancels and re-creates the consumer, and a per-consumer limit alone would neither count the
 * unacked deliveries of the cancelled one nor share one window among partition queues. Quorum and
 * stream queues refuse a channel-wide limit; then each consumer gets its share of the window (at
 * least 1), so the task's window holds either way.
 *
 * <p>Thread-safe.
 */
final class PrefetchWindow {

  private final int prefetch;
  private final int consumers;
  private volatile boolean channelWide;

  PrefetchWindow(AmqpSettings settings) {
    this.prefetch = settings.prefetch();
    this.consumers = settings.workQueues().size();
    this.channelWide = !settings.quorum(); // quorum queues refuse a global prefetch
  }

  /** Sets the window on a new or recovered channel; also a cheap round trip to the broker. */
  void applyTo(Channel channel) throws IOException {
    channel.basicQos(perConsumer(), false);
    // 0 lifts the channel-wide limit, which a recovered channel would otherwise restore
    channel.basicQos(channelWide ? prefetch : 0, true);
  }

  boolean isChannelWide() {
    return channelWide;
  }

  /**
   * The broker refused the channel-wide limit (a quorum or stream queue that the settings did not
   * announce): from the next channel on, consumers get their shares only.
   */
  void refuseChannelWide() {
    channelWide = false;
  }

  private int perConsumer() {
    return channelWide ? prefetch : Math.max(1, prefetch / consumers);
  }
}
