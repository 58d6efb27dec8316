package dev.lanes.transport.nsq;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Asks nsqlookupd which nsqd nodes carry a topic ({@code GET /lookup?topic=}). nsq-j does its own
 * lookups to connect; this one is for what nsq-j does not tell: whether any nsqlookupd answers at
 * all (start) and the HTTP address of each node (backlog). Thread-safe.
 */
final class Lookupd {

  /** One nsqd node as nsqlookupd announces it. */
  record Producer(String tcpAddress, String httpAddress) {}

  /**
   * The union of all answers.
   *
   * @param producers the nodes that carry the topic (none when no nsqlookupd knows it)
   * @param failures one line per nsqlookupd that did not answer
   * @param answered how many nsqlookupd answered
   */
  record Result(Set<Producer> producers, List<String> failures, int answered) {}

  private final NsqHttp http;
  private final List<String> addresses;

  Lookupd(NsqHttp http, List<String> addresses) {
    this.http = http;
    this.addresses = List.copyOf(addresses);
  }

  List<String> addresses() {
    return addresses;
  }

  /** Looks {@code topic} up in every nsqlookupd. Never throws for an unreachable one. */
  Result lookup(String topic) {
    Set<Producer> producers = new LinkedHashSet<>();
    List<String> failures = new ArrayList<>();
    int answered = 0;
    for (String address : addresses) {
      try {
        NsqHttp.Answer answer = http.get(address, "/lookup", Map.of("topic", topic));
        if (answer.status() == 404) {
          answered++; // TOPIC_NOT_FOUND: no node carries it yet
        } else if (answer.status() == 200) {
          answered++;
          Object body = answer.body();
          Object data = NsqHttp.field(body, "data"); // nsqlookupd before 1.0 wrapped its answers
          for (Object producer : NsqHttp.list(data != null ? data : body, "producers")) {
            producers.add(producer(producer));
          }
        } else {
          failures.add(address + " answered HTTP " + answer.status());
        }
      } catch (IOException | RuntimeException e) {
        failures.add(address + ": " + e);
      }
    }
    return new Result(producers, failures, answered);
  }

  private static Producer producer(Object producer) {
    String host = String.valueOf(NsqHttp.field(producer, "broadcast_address"));
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return new Producer(
        host + ":" + NsqHttp.number(producer, "tcp_port"),
        host + ":" + NsqHttp.number(producer, "http_port"));
  }
}
