package dev.lanes.samples;

import dev.lanes.api.DoingFailedException;
import dev.lanes.api.HandlerContext;
import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/**
 * The flaky-downstream sample: a downstream that fails the first {@code
 * flaky.failuresBeforeSuccess} attempts of every message, and every attempt of a message marked
 * {@code "poison": true}. Shows the retry policy at work — attempts with growing backoff, then
 * success — and dead-lettering once {@code retry.maxAttempts} run out. When {@code record.file} is
 * set, every attempt is recorded as by {@link RecordingHandler}, a failed one with the failure as
 * {@code "failed"}, so the file shows each message's attempts and the backoff between them.
 *
 * <p>Two more markers misbehave on the first attempt only: {@code "hang": true} blocks until the
 * call is interrupted ({@code handlerTimeout}), {@code "error": true} throws an {@link Error}; the
 * fault tests use them to show that a lane recovers from both.
 */
public final class FlakyDownstreamHandler implements MessageHandler {

  private final RecordingHandler recorder = new RecordingHandler();
  private int failuresBeforeSuccess;
  private boolean recording;

  @Override
  public void open(HandlerContext context) throws IOException {
    failuresBeforeSuccess = context.config().getInt("flaky.failuresBeforeSuccess");
    recording = !context.config().getString("record.file").isBlank();
    if (recording) {
      recorder.open(context);
    }
  }

  @Override
  public Outcome handle(Message message) throws IOException, InterruptedException {
    if (message.attempt() == 1 && Boolean.TRUE.equals(message.field("hang").orElse(null))) {
      hang(message);
    }
    if (message.attempt() == 1 && Boolean.TRUE.equals(message.field("error").orElse(null))) {
      if (recording) {
        recorder.record(message, "throws an Error");
      }
      throw new AssertionError("downstream client broke on message " + message.id());
    }
    String failure = null;
    if (Boolean.TRUE.equals(message.field("poison").orElse(null))) {
      failure = "downstream rejects poison message " + message.id();
    } else if (message.attempt() <= failuresBeforeSuccess) {
      failure = "downstream unavailable (attempt " + message.attempt() + ")";
    }
    if (recording) {
      recorder.record(message, failure);
    }
    if (failure != null) {
      throw new DoingFailedException(failure);
    }
    return Outcome.ack();
  }

  /** A downstream that never answers: blocks until handlerTimeout interrupts the call. */
  private void hang(Message message) throws IOException, InterruptedException {
    if (recording) {
      recorder.record(message, "hangs until interrupted");
    }
    new CountDownLatch(1).await();
  }

  @Override
  public void close() throws IOException {
    recorder.close();
  }
}
