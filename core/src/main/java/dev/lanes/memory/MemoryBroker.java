package dev.lanes.memory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The JVM-wide set of in-memory queues, by name. Thread-safe. */
public final class MemoryBroker {

  private static final ConcurrentMap<String, MemoryQueue> QUEUES = new ConcurrentHashMap<>();

  private MemoryBroker() {}

  /** The queue named {@code name}, created empty on first use. */
  public static MemoryQueue queue(String name) {
    return QUEUES.computeIfAbsent(name, MemoryQueue::new);
  }

  /** The dead letter queue of {@code queue}: {@code <queue>.dlq}. */
  public static String deadLetterName(String queue) {
    return queue + ".dlq";
  }
}
