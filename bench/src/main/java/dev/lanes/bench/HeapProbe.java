package dev.lanes.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The heap of this JVM: used after a full collection ({@link #usedAfterGc()}), and the peak used
 * just before any collection, from the collectors' notifications (what the heap really reached
 * between samples, garbage included). Thread-safe.
 */
final class HeapProbe {

  private final AtomicLong peakBeforeGc = new AtomicLong();
  private final Set<String> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP)
          .map(MemoryPoolMXBean::getName)
          .collect(Collectors.toUnmodifiableSet());

  HeapProbe() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc)
          .addNotificationListener(
              (notification, handback) -> {
                if (notification
                    .getType()
                    .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                  GarbageCollectionNotificationInfo info =
                      GarbageCollectionNotificationInfo.from(
                          (CompositeData) notification.getUserData());
                  peakBeforeGc.accumulateAndGet(
                      heapUsed(info.getGcInfo().getMemoryUsageBeforeGc()), Math::max);
                }
              },
              null,
              null);
    }
  }

  /** Heap used right after a full collection ({@link System#gc()}), in bytes. */
  long usedAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The most heap used before any collection since the last {@link #resetPeak()}, in bytes. */
  long peakBeforeGc() {
    return peakBeforeGc.get();
  }

  void resetPeak() {
    peakBeforeGc.set(0);
  }

  /** The configured maximum heap ({@code -Xmx}), in bytes. */
  static long max() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
  }

  private long heapUsed(Map<String, MemoryUsage> pools) {
    return pools.entrySet().stream()
        .filter(e -> heapPools.contains(e.getKey()))
        .mapToLong(e -> e.getValue().getUsed())
        .sum();
  }
}
