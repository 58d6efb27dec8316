package dev.lanes.it;

import java.util.List;

/**
 * A transport the end-to-end and fault tests run the runner on: how a task file names a
 * destination, how it is prepared, and how a client that is not Lanes fills it.
 */
interface BrokerTarget {

  /** The transport name given with {@code --transport}. */
  String transport();

  /** The task file lines that name destination {@code name} on this broker. */
  String destination(String name);

  /** Prepares the destination before publishing (declare a queue...), if the broker needs it. */
  default void prepare(String name) throws Exception {}

  /** Publishes thousands of {@code events} (JSON lines) to {@code name}, in order per key. */
  void publishMany(String name, List<String> events) throws Exception;

  /**
   * Task-file lines that make the transport hand back what a dead runner held within seconds rather
   * than its production default (a lease, a message timeout, a session), so a fault run fits in CI.
   */
  default String quickRedelivery() {
    return "";
  }

  /**
   * The most messages this transport can have handed to a runner and not yet settled, with the
   * settings of {@link #quickRedelivery()}, {@code lanes × channelLength} held in the lanes and the
   * lanes handling {@code perSecond} messages a second: a crash can redeliver at most this many.
   */
  int redeliveryBound(int lanes, int channelLength, int perSecond);

  /**
   * Whether what a crashed runner held comes back ahead of the key's later messages (RabbitMQ
   * requeues in place, Kafka rewinds to the committed offset), so the first handling of each key's
   * events stays in sequence; NSQ and the local queue redeliver it after a timeout, behind what the
   * next runner took meanwhile (their docs say so).
   */
  boolean keepsOrderAcrossCrash();

  /**
   * How many messages of destination {@code name} wait on the broker, not yet consumed by the
   * task's consumer (queue depth, topic and channel depth, end offset less the group's commit).
   */
  long waiting(String name) throws Exception;

  /** The broker address ({@code host:port}) a runner of this transport connects to. */
  String upstream();

  /**
   * Task-file lines that make the runner reach the broker at {@code address} only (a proxy, or an
   * address where nothing listens).
   */
  String brokerAt(String address);
}
