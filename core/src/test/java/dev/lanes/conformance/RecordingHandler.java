package dev.lanes.conformance;

import dev.lanes.api.HandlerContext;
import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A test handler that records every call, then does what its behaviour says. */
public final class RecordingHandler implements MessageHandler {

  /** What to do with a message. */
  @FunctionalInterface
  public interface Behaviour {
    Outcome handle(Message message) throws Exception;
  }

  /** One handler call. */
  public record Call(Message message, int lane, long atNanos, String outcome) {
    /** The payload as text. */
    public String payload() {
      return message.payloadAsString();
    }
  }

  private final Behaviour behaviour;
  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private volatile HandlerContext context;

  public RecordingHandler(Behaviour behaviour) {
    this.behaviour = behaviour;
  }

  /** Acks everything. */
  public static RecordingHandler acking() {
    return new RecordingHandler(m -> Outcome.ack());
  }

  @Override
  public void open(HandlerContext context) {
    this.context = context;
  }

  @Override
  public Outcome handle(Message message) throws Exception {
    long at = System.nanoTime();
    int lane = context == null ? -1 : context.currentLane();
    Outcome outcome;
    try {
      outcome = behaviour.handle(message);
    } catch (Exception e) {
      calls.add(new Call(message, lane, at, "failed"));
      throw e;
    }
    calls.add(
        new Call(message, lane, at, outcome == null ? "null" : outcome.getClass().getSimpleName()));
    return outcome;
  }

  public List<Call> calls() {
    return new ArrayList<>(calls);
  }

  /** Calls that ended in an ack. */
  public List<Call> acked() {
    return calls().stream().filter(c -> c.outcome().equals("Ack")).toList();
  }

  /** Distinct payloads seen, in any outcome. */
  public Set<String> payloads() {
    Set<String> payloads = new TreeSet<>();
    calls.forEach(c -> payloads.add(c.payload()));
    return payloads;
  }

  /** Distinct payloads acked. */
  public Set<String> ackedPayloads() {
    Set<String> payloads = new TreeSet<>();
    acked().forEach(c -> payloads.add(c.payload()));
    return payloads;
  }
}
