package dev.lanes.testkit;

import dev.lanes.api.HandlerContext;
import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Wraps the handler under test and records every call. */
final class RecordingDecorator implements MessageHandler {

  private final MessageHandler handler;
  private final List<HandledCall> calls = new CopyOnWriteArrayList<>();
  private volatile HandlerContext context;

  RecordingDecorator(MessageHandler handler) {
    this.handler = handler;
  }

  @Override
  public void open(HandlerContext context) throws Exception {
    this.context = context;
    handler.open(context);
  }

  @Override
  public Outcome handle(Message message) throws Exception {
    int lane = context.currentLane();
    try {
      Outcome outcome = handler.handle(message);
      calls.add(new HandledCall(message, outcome, null, lane));
      return outcome;
    } catch (Exception | Error e) {
      calls.add(new HandledCall(message, null, e, lane));
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    handler.close();
  }

  List<HandledCall> calls() {
    return List.copyOf(calls);
  }
}
