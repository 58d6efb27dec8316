package dev.lanes.runner.plugin;

import dev.lanes.api.HandlerContext;
import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.api.ReadyFailedException;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * A handler from a plugin jar. Runs {@code open}, {@code handle} and {@code close} with the
 * plugin's class loader as the thread's context class loader (libraries that look classes or
 * resources up through it then find the plugin's own), and closes that class loader after the
 * handler's {@code close}. Only the handler's calls see it: the transports keep the runner's.
 */
final class PluginHandler implements MessageHandler {

  private final MessageHandler handler;
  private final PluginClassLoader loader;

  PluginHandler(MessageHandler handler, PluginClassLoader loader) {
    this.handler = handler;
    this.loader = loader;
  }

  /** What the task's handler actually is, e.g. for messages. */
  String describe() {
    return "plugin " + loader.jar() + ": handler " + handler.getClass().getName();
  }

  @Override
  public void open(HandlerContext context) throws Exception {
    try {
      inPluginLoader(
          () -> {
            handler.open(context);
            return null;
          });
    } catch (Exception | LinkageError e) {
      throw new OpenFailed(describe() + " failed to open: " + e, e);
    }
  }

  @Override
  public Outcome handle(Message message) throws Exception {
    Outcome outcome = inPluginLoader(() -> handler.handle(message));
    if (outcome == null) {
      throw new IllegalStateException(
          handler.getClass().getName() + ".handle returned null; return Outcome.ack()");
    }
    return outcome;
  }

  @Override
  public void close() throws Exception {
    try {
      inPluginLoader(
          () -> {
            handler.close();
            return null;
          });
    } finally {
      release();
    }
  }

  /** Runs {@code call} with the plugin's class loader as the thread's context class loader. */
  private <T> T inPluginLoader(Callable<T> call) throws Exception {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return call.call();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /** Closes the plugin's class loader (its jar file); the handler must not run any more. */
  void release() throws IOException {
    loader.close();
  }

  /** The plugin handler's {@code open} threw: the message names the jar and the class. */
  static final class OpenFailed extends ReadyFailedException {
    private static final long serialVersionUID = 1L;

    OpenFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
