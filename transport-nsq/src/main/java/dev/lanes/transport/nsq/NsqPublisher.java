package dev.lanes.transport.nsq;

import com.sproutsocial.nsq.Client;
import com.sproutsocial.nsq.Config;
import dev.lanes.api.Message;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes to one topic of one nsqd over TCP with nsq-j: {@code PUB} for one message, {@code MPUB}
 * for several; each returns once nsqd answered {@code OK}. A message with a key or headers travels
 * in an {@link Envelope}. With {@code nsq.partitions} a message goes to the topic of its key's
 * partition ({@link Partitioner}). Thread-safe (nsq-j's publisher is synchronized).
 *
 * <p>nsq-j's publisher is built with the same nsqd as its "failover": on a failed publish it then
 * reconnects and tries once more at once, and throws if that fails too. Without a failover it would
 * sleep ten seconds on the calling thread (a lane, when dead-lettering) before its retry.
 */
final class NsqPublisher implements Publisher {

  /** MPUB batches stay under this many body bytes (nsqd's --max-body-size is 5 MB by default). */
  private static final int MPUB_MAX_BYTES = 1 << 20;

  private final com.sproutsocial.nsq.Publisher publisher;
  private final String topic;
  private final int partitions;
  private final Client ownClient;

  /**
   * A publisher to the task's topic on {@code nsq.publishTo}, with a client of its own.
   *
   * @throws ReadyFailedException when nothing listens at {@code nsq.publishTo}
   */
  static NsqPublisher open(TransportContext context, NsqSettings settings) {
    probe(context.task(), settings);
    return new NsqPublisher(new Client(), true, settings, settings.topic(), settings.partitions());
  }

  /**
   * @param client the nsq-j client to publish through; it gets the TLS and AUTH settings
   * @param ownsClient whether {@link #close()} also stops {@code client}
   * @param settings the nsqd to publish to ({@code publishTo}), TLS and the AUTH secret
   * @param topic the topic published to; with {@code partitions} &gt; 0, the base name of the
   *     partition topics {@code <topic>.p}
   * @param partitions 0 for one topic
   */
  NsqPublisher(
      Client client, boolean ownsClient, NsqSettings settings, String topic, int partitions) {
    String nsqd = settings.publishTo();
    this.publisher = new com.sproutsocial.nsq.Publisher(client, nsqd, nsqd);
    Config identify = new Config();
    settings.tls().applyTo(client, identify);
    settings.authSecret().applyTo(client);
    publisher.setConfig(identify);
    this.topic = topic;
    this.partitions = partitions;
    this.ownClient = ownsClient ? client : null;
  }

  String topic() {
    return topic;
  }

  /** The topic {@code message} goes to. */
  String topicOf(Message message) {
    return partitions == 0 ? topic : topic + "." + Partitioner.partition(message.key(), partitions);
  }

  @Override
  public void publish(Message message) {
    publisher.publish(topicOf(message), body(message));
  }

  /**
   * MPUB per run of consecutive messages to the same topic, so the messages of each topic keep
   * their order.
   */
  @Override
  public void publishAll(List<Message> messages) {
    List<byte[]> batch = new ArrayList<>();
    String batchTopic = null;
    int bytes = 0;
    for (Message message : messages) {
      byte[] body = body(message);
      String to = topicOf(message);
      if (!batch.isEmpty() && (bytes + body.length > MPUB_MAX_BYTES || !to.equals(batchTopic))) {
        publisher.publish(batchTopic, batch);
        batch = new ArrayList<>();
        bytes = 0;
      }
      batchTopic = to;
      batch.add(body);
      bytes += body.length;
    }
    if (!batch.isEmpty()) {
      publisher.publish(batchTopic, batch);
    }
  }

  private static byte[] body(Message message) {
    return Envelope.encode(message.key(), message.headers(), message.payload());
  }

  @Override
  public void close() {
    publisher.stop();
    if (ownClient != null) {
      ownClient.stop();
    }
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
      throw task.failed(
          "nsq.publishTo",
          "cannot reach nsqd at "
              + address
              + " ("
              + e.getMessage()
              + "); start nsqd or fix nsq.publishTo",
          e);
    }
  }
}
