package dev.lanes.transport.nsq;

import com.sproutsocial.nsq.Client;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.BrokerTransport;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

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
public final class NsqTransport extends BrokerTransport {

  public NsqTransport() {
    super("nsq", "nsq", StopMode.DRAIN);
  }

  /** The source; its threads are named by {@code context}. */
  @Override
  public Source openSource(TransportContext context) {
    return new NsqSource(context, NsqSettings.from(context.task()));
  }

  /**
   * A publisher to the task's topic on {@code nsq.publishTo}.
   *
   * @throws ReadyFailedException when the config is invalid or nothing listens at {@code
   *     nsq.publishTo}
   */
  @Override
  public Publisher openPublisher(TransportContext context) {
    TaskConfig task = context.task();
    NsqSettings settings = NsqSettings.from(task);
    probe(task, settings);
    return new NsqPublisher(new Client(), true, settings, settings.topic(), settings.partitions());
  }

  /** nsq-j connects on the first publish; fail at open instead when nsqd is not there. */
  private static void probe(TaskConfig task, NsqSettings settings) {
    String address = settings.publishTo();
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    int port = Integer.parseInt(address.substring(colon + 1));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) settings.httpTimeout().toMillis());
    } catch (IOException e) {
      throw new ReadyFailedException(
          "task '"
              + task.name()
              + "': nsq.publishTo: cannot reach nsqd at "
              + address
              + " ("
              + e.getMessage()
              + "); start nsqd or fix nsq.publishTo",
          e);
    }
  }
}
