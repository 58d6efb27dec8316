package dev.lanes.transport.nsq;

import dev.lanes.spi.BrokerTransport;
import dev.lanes.spi.StopMode;

/**
 * The {@code nsq} transport: NSQ topics and channels through nsq-j. A source consumes {@code
 * nsq.topic}/{@code nsq.channel} (nsqd found through nsqlookupd, or given directly); a publisher
 * publishes to {@code nsq.topic} on the nsqd at {@code nsq.publishTo}. With {@code nsq.partitions}
 * the topic is split in {@code <topic>.0 … <topic>.K-1} and a source consumes its {@code
 * nsq.ownedPartitions}. How ack, retry, reject, touch, backpressure and stop map onto NSQ: {@code
 * docs/transports/nsq.md}. Stateless.
 *
 * <p>Default stop mode {@code drain}: nsqd puts a message handed back (REQ, or left in flight at
 * close) at the back of the channel and counts an attempt, so releasing queued messages at a stop
 * would let later messages of their key overtake them. See docs/transports/nsq.md.
 */
public final class NsqTransport extends BrokerTransport<NsqSettings> {

  public NsqTransport() {
    super("nsq", "nsq", StopMode.DRAIN, NsqSettings::from, NsqSource::new, NsqPublisher::open);
  }
}
