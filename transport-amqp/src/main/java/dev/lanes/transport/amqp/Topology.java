package dev.lanes.transport.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.TaskConfig;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker objects of one task: the exchange and the work queue bound to it by {@code key} (or,
 * with {@code partitions = K}, the consistent-hash exchange and the K single-active-consumer work
 * queues bound to it with weight 1), the dead-letter exchange and queue, and the retry delay
 * queues. {@link #apply} declares them ({@code declare = true}, idempotent) or checks that they
 * exist ({@code declare = false}).
 *
 * <p>Each step runs on a fresh short-lived channel, because a failed declaration closes its
 * channel. Stateless apart from the settings; thread-safe.
 */
final class Topology {

  private static final Logger log = LoggerFactory.getLogger(Topology.class);

  private final TaskConfig task;
  private final AmqpSettings settings;
  private final RetryQueues retryQueues;

  /** The header a partitioned task's consistent-hash exchange hashes. */
  private static final String HASH_HEADER = AmqpMessages.KEY;

  /** Binding key of a partition queue: its weight, the same for every queue. */
  private static final String PARTITION_WEIGHT = "1";

  Topology(TaskConfig task, AmqpSettings settings) {
    this.task = task;
    this.settings = settings;
    this.retryQueues = new RetryQueues(settings.queue(), settings.retryDelays());
  }

  RetryQueues retryQueues() {
    return retryQueues;
  }

  /**
   * Declares or checks every object.
   *
   * @throws ReadyFailedException naming the object, the config key and what to do
   */
  void apply(Connection connection) {
    if (!settings.usesDefaultExchange()) {
      Map<String, Object> hashing =
          settings.partitioned() ? Map.of("hash-header", HASH_HEADER) : Map.of();
      exchange(connection, "amqp.exchange", settings.exchange(), settings.exchangeType(), hashing);
    }
    Map<String, Object> typed = settings.quorum() ? Map.of("x-queue-type", "quorum") : Map.of();
    if (settings.partitioned()) {
      Map<String, Object> single = new HashMap<>(typed);
      single.put("x-single-active-consumer", true);
      for (String partition : settings.workQueues()) {
        queue(connection, "amqp.partitions", partition, single);
        bind(connection, "amqp.partitions", partition, settings.exchange(), PARTITION_WEIGHT);
      }
    } else {
      queue(connection, "amqp.queue", settings.queue(), typed);
      if (!settings.usesDefaultExchange()) {
        bind(connection, "amqp.key", settings.queue(), settings.exchange(), settings.key());
      }
    }
    exchange(
        connection, "amqp.deadLetterExchange", settings.deadLetterExchange(), "direct", Map.of());
    queue(connection, "amqp.deadLetterQueue", settings.deadLetterQueue(), typed);
    bind(
        connection,
        "amqp.deadLetterQueue",
        settings.deadLetterQueue(),
        settings.deadLetterExchange(),
        settings.queue());
    for (RetryQueues.Tier tier : retryQueues.tiers()) {
      Map<String, Object> args = backToWorkQueue();
      args.put("x-message-ttl", tier.ttl().toMillis());
      queue(connection, "amqp.retryDelays", tier.queue(), args);
    }
    queue(connection, "amqp.retryDelays", retryQueues.longQueue(), backToWorkQueue());
  }

  /**
   * Declares (or checks) every object again after the consume channel was lost or a consumer
   * cancelled (a broker restart loses transient objects); logs what fails instead of throwing.
   */
  void applyAgain(Connection connection) {
    try {
      apply(connection);
    } catch (ReadyFailedException e) {
      log.error("task {}: after reconnecting: {}", task.name(), e.getMessage());
    }
  }

  /**
   * Expired retries go back to the work queue through the default exchange; with partitions through
   * the consistent-hash exchange, which hashes the copy's key header (the original's, unchanged) to
   * the partition queue the original came from.
   */
  private Map<String, Object> backToWorkQueue() {
    Map<String, Object> args = new HashMap<>();
    args.put("x-dead-letter-exchange", settings.partitioned() ? settings.exchange() : "");
    args.put("x-dead-letter-routing-key", settings.queue());
    return args;
  }

  private void exchange(
      Connection connection, String key, String name, String type, Map<String, Object> args) {
    step(
        connection,
        key,
        "exchange '" + name + "'",
        ch -> {
          if (settings.declare()) {
            ch.exchangeDeclare(name, type, settings.durable(), false, args.isEmpty() ? null : args);
          } else {
            ch.exchangeDeclarePassive(name);
          }
        });
  }

  private void queue(Connection connection, String key, String name, Map<String, Object> args) {
    step(
        connection,
        key,
        "queue '" + name + "'",
        ch -> {
          if (settings.declare()) {
            ch.queueDeclare(name, settings.durable(), false, false, args.isEmpty() ? null : args);
          } else {
            ch.queueDeclarePassive(name);
          }
        });
  }

  private void bind(
      Connection connection, String key, String queue, String exchange, String routingKey) {
    if (!settings.declare()) {
      return; // AMQP 0-9-1 cannot check a binding passively; with declare = false ops own it
    }
    step(
        connection,
        key,
        "binding of queue '"
            + queue
            + "' to exchange '"
            + exchange
            + "' with key '"
            + routingKey
            + "'",
        ch -> ch.queueBind(queue, exchange, routingKey));
  }

  private void step(Connection connection, String key, String what, ChannelAction action) {
    Channel channel = null;
    try {
      channel = connection.createChannel();
      action.run(channel);
    } catch (IOException | ShutdownSignalException e) {
      throw task.failed(key, describe(key, what, e), e);
    } finally {
      closeQuietly(channel);
    }
  }

  private String describe(String key, String what, Exception e) {
    String reason = BrokerReply.reason(e);
    String todo;
    if (BrokerReply.is(e, AMQP.COMMAND_INVALID)) { // an exchange type the broker does not know
      todo =
          settings.partitioned()
              ? "amqp.partitions needs the broker plugin that provides it: rabbitmq-plugins enable"
                  + " rabbitmq_consistent_hash_exchange"
              : "enable the broker plugin that provides it";
    } else if (!settings.declare()) {
      todo =
          "declare = false, so Lanes only checks that it exists: create it, or set amqp.declare = true";
    } else if (BrokerReply.is(e, AMQP.PRECONDITION_FAILED)) {
      todo =
          "it exists with other properties than durable = "
              + settings.durable()
              + ", queueType = "
              + settings.queueType()
              + " and Lanes' arguments: delete it, or"
              + " change "
              + key
              + ", amqp.durable or amqp.queueType";
    } else {
      todo = "check the user's permissions on the virtual host";
    }
    return what + " on " + settings.maskedUri() + ": " + reason + " (" + todo + ")";
  }

  private static void closeQuietly(Channel channel) {
    if (channel != null && channel.isOpen()) {
      try {
        channel.close();
      } catch (IOException | TimeoutException | ShutdownSignalException e) {
        // the step's outcome is already decided; a channel that will not close goes with its
        // connection
      }
    }
  }

  @FunctionalInterface
  private interface ChannelAction {
    void run(Channel channel) throws IOException;
  }
}
