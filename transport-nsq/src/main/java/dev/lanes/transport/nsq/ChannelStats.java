package dev.lanes.transport.nsq;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A channel's counters from nsqd's {@code GET /stats?format=json}, summed over nodes.
 *
 * @param depth messages waiting in the channel (memory and disk)
 * @param inFlight messages delivered to a consumer and not yet finished or requeued
 * @param deferred messages requeued with a delay (or published deferred), not yet due
 * @param requeued messages requeued so far (REQ), since nsqd started
 * @param timedOut messages redelivered because their timeout passed, since nsqd started
 */
record ChannelStats(long depth, long inFlight, long deferred, long requeued, long timedOut) {

  static final ChannelStats NONE = new ChannelStats(0, 0, 0, 0, 0);

  /** Everything of the channel not yet finished: waiting, deferred and in flight. */
  long backlog() {
    return depth + inFlight + deferred;
  }

  ChannelStats plus(ChannelStats other) {
    return new ChannelStats(
        depth + other.depth,
        inFlight + other.inFlight,
        deferred + other.deferred,
        requeued + other.requeued,
        timedOut + other.timedOut);
  }

  /**
   * Reads one nsqd's counters for {@code topic}/{@code channel}; {@link #NONE} when that nsqd has
   * no such topic or channel.
   *
   * @throws IOException when nsqd cannot be reached or answers an error
   */
  static ChannelStats read(NsqHttp http, String nsqdHttp, String topic, String channel)
      throws IOException {
    return node(http, nsqdHttp, topic, channel, false)
        .map(
            c ->
                new ChannelStats(
                    NsqHttp.number(c, "depth"),
                    NsqHttp.number(c, "in_flight_count"),
                    NsqHttp.number(c, "deferred_count"),
                    NsqHttp.number(c, "requeue_count"),
                    NsqHttp.number(c, "timeout_count")))
        .orElse(NONE);
  }

  /**
   * One nsqd's {@code /stats} entry of {@code topic}/{@code channel}, with its {@code clients} when
   * {@code withClients}; empty when that nsqd has no such topic or channel.
   *
   * @throws IOException when nsqd cannot be reached or answers an error
   */
  static Optional<Object> node(
      NsqHttp http, String nsqdHttp, String topic, String channel, boolean withClients)
      throws IOException {
    Map<String, String> query = new HashMap<>();
    query.put("format", "json");
    query.put("topic", topic);
    query.put("channel", channel);
    query.put("include_mem", "false");
    if (!withClients) {
      query.put("include_clients", "false");
    }
    NsqHttp.Answer answer = http.get(nsqdHttp, "/stats", query);
    if (answer.status() != 200) {
      throw new IOException(
          "nsqd " + nsqdHttp + " answered HTTP " + answer.status() + " to /stats");
    }
    for (Object t : NsqHttp.list(answer.body(), "topics")) {
      if (!topic.equals(NsqHttp.field(t, "topic_name"))) {
        continue;
      }
      for (Object c : NsqHttp.list(t, "channels")) {
        if (channel.equals(NsqHttp.field(c, "channel_name"))) {
          return Optional.of(c);
        }
      }
    }
    return Optional.empty();
  }
}
