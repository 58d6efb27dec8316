package dev.lanes.api;

/**
 * User code that handles the messages of one task.
 *
 * <p><b>Threading:</b> one handler instance serves all lanes of a task, so {@link #handle} is
 * called concurrently from up to {@code consumerNum} lane threads, but never concurrently for two
 * messages of the same routing key: those arrive one after another, in order. Keep shared state
 * thread-safe.
 *
 * <p><b>Failure:</b> a thrown exception means "retry per the task's retry policy"; when attempts
 * run out the message is dead-lettered, never silently dropped. A handler that runs past {@code
 * handlerTimeout} is interrupted and its attempt counts as failed, so honour interruption.
 *
 * <p><b>Lifecycle:</b> {@link #open} is called once before the first message; if it throws, the
 * task fails to start (nothing is consumed). {@link #close} is called once after the last message
 * has been handled or abandoned during shutdown.
 */
public interface MessageHandler {

  /**
   * Handles one message and says what to do with it.
   *
   * @return never {@code null}; use {@link Outcome#ack()} when done
   * @throws Exception to request a retry per the task's retry policy
   */
  Outcome handle(Message message) throws Exception;

  /** Prepares resources (connections, files) before the first message. */
  default void open(HandlerContext context) throws Exception {}

  /** Releases resources after the last message. */
  default void close() throws Exception {}
}
