package dev.lanes.transport.nsq;

import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A handler that records every call and answers with a given behaviour. Thread-safe. */
final class Recorder implements MessageHandler {

  /** What the handler does with a message. */
  @FunctionalInterface
  interface Behaviour {
    Outcome apply(Message message) throws Exception;
  }

  /** One call: the message and when it started ({@link System#nanoTime()}). */
  record Call(Message message, long atNanos) {}

  private final Behaviour behaviour;
  private final List<Call> calls = new ArrayList<>();
  private final Set<String> acked = new HashSet<>();

  Recorder(Behaviour behaviour) {
    this.behaviour = behaviour;
  }

  static Recorder acking() {
    return new Recorder(m -> Outcome.ack());
  }

  @Override
  public Outcome handle(Message message) throws Exception {
    synchronized (this) {
      calls.add(new Call(message, System.nanoTime()));
    }
    Outcome outcome = behaviour.apply(message);
    if (outcome instanceof Outcome.Ack) {
      synchronized (this) {
        acked.add(message.payloadAsString());
      }
    }
    return outcome;
  }

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Payloads of the calls, in call order, with repeats. */
  synchronized List<String> payloads() {
    return calls.stream().map(c -> c.message().payloadAsString()).toList();
  }

  synchronized Set<String> acked() {
    return Set.copyOf(acked);
  }
}
