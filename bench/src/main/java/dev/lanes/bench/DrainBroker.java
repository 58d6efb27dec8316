package dev.lanes.bench;

/**
 * One broker of the drain workload: it makes a fresh, preloaded backlog under a unique name, opens
 * the two consumers under test on it, and deletes it afterwards.
 */
interface DrainBroker {

  /** {@code kafka}, {@code amqp} or {@code nsq}. */
  String name();

  /** The backlog size when the command names none. */
  int defaultRecords();

  /** Whether the broker delivers one partition's or queue's records in order. */
  boolean ordered();

  /** A name the broker accepts for a topic or queue, unique to this run. */
  String destination(String unique);

  /** Creates {@code destination} and fills it with {@code records} records. */
  void preload(String destination, int records) throws Exception;

  /** Lanes, draining {@code destination} into {@code tally} from now until closed. */
  AutoCloseable lanes(String destination, DrainTally tally) throws Exception;

  /** The broker's official client, the same way, with the same acknowledgement semantics. */
  AutoCloseable raw(String destination, DrainTally tally) throws Exception;

  /** Deletes {@code destination} and whatever the consumers created for it. */
  void delete(String destination) throws Exception;
}
