package dev.lanes.bench;

import dev.lanes.spi.Transport;
import java.util.Map;

/**
 * One transport under the latency workload: fresh destinations, a producer into them, Lanes' task
 * settings for consuming one, and the transport's raw client consuming one with the same settings.
 * Closing deletes what it created on the broker.
 */
interface LatencyTransport extends AutoCloseable {

  /** {@code local}, {@code amqp}, {@code kafka} or {@code nsq}. */
  String name();

  /** What the baseline is, for the tables: the official client, or for local its own source. */
  String rawName();

  /** Whether the broker keeps per-key order for this workload, so the self-check requires it. */
  boolean ordered();

  Transport transport();

  /** A fresh, empty queue or topic for one run, ready to be produced to. */
  String newDestination() throws Exception;

  /** The transport's part of a Lanes task consuming {@code destination}. */
  Map<String, Object> lanesConfig(String destination);

  /** A producer into {@code destination}; closing it waits until what it took is sent. */
  PacedProducer.Sender sender(String destination) throws Exception;

  /**
   * The raw client consuming {@code destination}, calling {@code probe} first thing for every
   * message and settling it as Lanes would; returns once it is subscribed. Closing it stops it.
   */
  AutoCloseable startRaw(String destination, LatencyProbe probe) throws Exception;

  @Override
  void close() throws Exception;
}
