package dev.lanes.testing;

import java.util.ArrayList;
import java.util.List;

/** An ordered, thread-safe record of what fakes were asked to do, e.g. {@code stopReceiving}. */
public final class EventLog {

  private final List<String> events = new ArrayList<>();

  public synchronized void add(String event) {
    events.add(event);
  }

  public synchronized List<String> events() {
    return List.copyOf(events);
  }

  /** The events starting with {@code prefix}, in order. */
  public synchronized List<String> startingWith(String prefix) {
    return events.stream().filter(e -> e.startsWith(prefix)).toList();
  }

  public synchronized int indexOf(String event) {
    return events.indexOf(event);
  }

  public synchronized boolean contains(String event) {
    return events.contains(event);
  }
}
