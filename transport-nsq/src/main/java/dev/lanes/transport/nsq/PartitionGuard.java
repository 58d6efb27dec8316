package dev.lanes.transport.nsq;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.TaskConfig;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start check of a partitioned source: refuses to start when nsqd's {@code /stats} already
 * lists a client on the channel of an owned partition's topic, which means another runner owns that
 * partition too (an operator error that would break per-key order). Best-effort: two runners
 * starting in the same instant both pass it, and a node that cannot be read is skipped with a
 * warning. Does HTTP on the calling thread.
 */
record PartitionGuard(TaskConfig task, NsqSettings settings, ChannelBacklog nodes) {

  private static final Logger log = LoggerFactory.getLogger(PartitionGuard.class);

  /**
   * @throws ReadyFailedException naming the first owned partition that already has a consumer on
   *     the task's channel, and that consumer's address
   */
  void check() {
    for (int p : settings.ownedPartitions()) {
      String topic = settings.partitionTopic(p);
      try {
        List<String> addresses = nodes.nodes(topic);
        if (addresses == null) {
          log.warn(
              "task {}: nsq.nsqdHttp is empty, so whether another runner already consumes the"
                  + " owned partitions is not checked",
              task.name());
          return;
        }
        for (String node : addresses) {
          Optional<String> other = consumer(node, topic);
          if (other.isPresent()) {
            throw task.failed(
                "nsq.ownedPartitions",
                "partition "
                    + p
                    + " (topic "
                    + topic
                    + ", channel "
                    + settings.channel()
                    + ") already has a consumer on nsqd "
                    + node
                    + ": "
                    + other.get()
                    + "; each partition must be owned by one runner only",
                null);
          }
        }
      } catch (IOException e) {
        log.warn(
            "task {}: could not check whether another runner consumes partition {}: {}",
            task.name(),
            p,
            e.toString());
      }
    }
  }

  /** The first client of {@code topic}/channel on {@code node}, as "client_id at address". */
  private Optional<String> consumer(String node, String topic) throws IOException {
    return ChannelStats.node(nodes.http(), node, topic, settings.channel(), true)
        .map(c -> NsqHttp.list(c, "clients"))
        .filter(clients -> !clients.isEmpty())
        .map(
            clients ->
                NsqHttp.field(clients.get(0), "client_id")
                    + " at "
                    + NsqHttp.field(clients.get(0), "remote_address"));
  }
}
