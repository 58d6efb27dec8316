package dev.lanes.bench;

import java.util.Map;

/**
 * One transport's side of the backlog-memory workload: how to fill a destination with a backlog the
 * fastest correct way, how a Lanes task consumes it, what the broker client may buffer beyond the
 * lanes, and how to remove the destination afterwards. Used from one thread.
 */
interface Backlog {

  /** The Lanes transport name: {@code local}, {@code amqp}, {@code kafka} or {@code nsq}. */
  String transport();

  /** Creates {@code destination} empty, if the transport needs it to exist before consuming. */
  void create(String destination) throws Exception;

  /**
   * Stores {@code count} messages in {@code destination}, in order, and returns once the broker
   * holds them all.
   */
  void preload(String destination, long count, Payloads payloads) throws Exception;

  /** The task settings (over the workload's own) that consume {@code destination}. */
  Map<String, Object> taskSettings(String destination);

  /**
   * What the broker client may hold beyond the lanes, from the task's settings: a count of messages
   * (AMQP prefetch, NSQ RDY, one Kafka poll, one local claim) and a count of raw bytes (the Kafka
   * fetch buffer), each with the setting it comes from.
   */
  ClientBuffer clientBuffer(Map<String, Object> task);

  /** Removes {@code destination} and whatever the task made for it. Best effort. */
  void delete(String destination);

  /**
   * @param messages messages the client may have fetched and not handed out yet
   * @param bytes raw bytes it may buffer besides (0 when none)
   * @param window whether {@code messages} is the broker's window of unsettled messages, which then
   *     bounds the lanes too: a stalled task settles nothing
   * @param source the settings these come from, for the report
   */
  record ClientBuffer(long messages, long bytes, boolean window, String source) {}

  /** The backlog of the transport named {@code transport}. */
  static Backlog of(String transport, BacklogMemoryWorkload.Settings settings) {
    return switch (transport) {
      case "local" -> new LocalBacklog(settings);
      case "amqp" -> new AmqpBacklog(settings);
      case "kafka" -> new KafkaBacklog(settings);
      case "nsq" -> new NsqBacklog(settings);
      default ->
          throw new IllegalArgumentException(
              "transport must be local, amqp, kafka, nsq or all, not " + transport);
    };
  }
}
