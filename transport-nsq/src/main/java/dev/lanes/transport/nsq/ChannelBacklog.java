package dev.lanes.transport.nsq;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sums a channel's {@link ChannelStats} over the nsqd nodes that carry its topic (each owned
 * partition's topic with {@code nsq.partitions}): those nsqlookupd announces, or the configured
 * {@code nsqdHttp} addresses in direct mode. Does HTTP on the calling thread. Thread-safe.
 */
final class ChannelBacklog {

  private final NsqSettings settings;
  private final NsqHttp configured;
  private final NsqHttp announced;
  private final Lookupd lookupd;

  /**
   * @param configured reads the {@code nsqdHttp} addresses (HTTPS when {@code nsq.tls} is on)
   * @param announced reads the HTTP ports nsqlookupd announces, which are plain HTTP
   */
  ChannelBacklog(NsqSettings settings, NsqHttp configured, NsqHttp announced, Lookupd lookupd) {
    this.settings = settings;
    this.configured = configured;
    this.announced = announced;
    this.lookupd = lookupd;
  }

  /**
   * The channel's counters over all its nodes; empty in direct mode without {@code nsqdHttp}.
   *
   * @throws IOException when a node or every nsqlookupd cannot be read (a partial sum would
   *     under-report the backlog)
   */
  Optional<ChannelStats> read() throws IOException {
    ChannelStats sum = ChannelStats.NONE;
    for (String topic : settings.ownedTopics()) {
      List<String> nodes = nodes(topic);
      if (nodes == null) {
        return Optional.empty();
      }
      for (String node : nodes) {
        sum = sum.plus(ChannelStats.read(http(), node, topic, settings.channel()));
      }
    }
    return Optional.of(sum);
  }

  /** How the HTTP addresses of {@link #nodes} are read. */
  NsqHttp http() {
    return settings.direct() ? configured : announced;
  }

  /**
   * The HTTP addresses of the nsqd nodes that carry {@code topic}; null in direct mode without
   * {@code nsqdHttp}.
   *
   * @throws IOException when no nsqlookupd answered
   */
  List<String> nodes(String topic) throws IOException {
    if (settings.direct()) {
      return settings.nsqdHttp().isEmpty() ? null : settings.nsqdHttp();
    }
    Lookupd.Result result = lookupd.lookup(topic);
    if (result.answered() == 0) {
      // every nsqd registers with every nsqlookupd, so one answer is enough
      throw new IOException("no nsqlookupd answered: " + String.join("; ", result.failures()));
    }
    List<String> nodes = new ArrayList<>();
    result.producers().forEach(p -> nodes.add(p.httpAddress()));
    return nodes;
  }
}
