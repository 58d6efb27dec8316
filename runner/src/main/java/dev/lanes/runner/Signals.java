package dev.lanes.runner;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signal handlers of one run: SIGTERM and SIGINT run the graceful stop, SIGHUP a reload; {@link
 * #close()} puts back the handlers that were there before. The JDK's only way to catch a signal is
 * {@code sun.misc.Signal} (module jdk.unsupported); it is reached reflectively so the build stays
 * free of internal-API warnings.
 *
 * <p>Catching TERM and INT is what lets the exit code say how the stop went: left to the JVM, they
 * run the shutdown hooks and exit 143 (130 for INT) whatever the hooks did. Where a signal cannot
 * be caught ({@code sun.misc.Signal} missing, or a JVM run with {@code -Xrs}), it keeps the JVM's
 * default and a warning says so.
 */
final class Signals implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  private final List<Replaced> replaced = new ArrayList<>();

  /** A {@code sun.misc.Signal} and the handler it had before this run's. */
  private record Replaced(Object signal, Object earlier) {}

  private Signals() {}

  /**
   * Installs {@code stop} as the handler of SIGTERM and SIGINT and {@code reload} as that of
   * SIGHUP. Each signal runs its action on a new thread, {@code lanes-stop} or {@code
   * lanes-reload}, whose context class loader is this class's (the JDK's signal thread has none,
   * and config loading needs one). {@code stop} must be safe to run more than once: a second Ctrl+C
   * may come while the first stop drains.
   */
  static Signals install(Runnable stop, Runnable reload) {
    Signals signals = new Signals();
    signals.handle("TERM", "lanes-stop", "graceful stop", stop);
    signals.handle("INT", "lanes-stop", "graceful stop", stop);
    signals.handle("HUP", "lanes-reload", "reload", reload);
    return signals;
  }

  private void handle(String signal, String thread, String what, Runnable action) {
    try {
      Class<?> signalType = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object named = signalType.getConstructor(String.class).newInstance(signal);
      InvocationHandler call =
          (proxy, method, args) -> invoke(method, proxy, args, signal, thread, what, action);
      Object handler =
          Proxy.newProxyInstance(
              Signals.class.getClassLoader(), new Class<?>[] {handlerType}, call);
      Method handle = signalType.getMethod("handle", signalType, handlerType);
      Object earlier = handle.invoke(null, named, handler);
      if (earlier == handlerType.getField("SIG_IGN").get(null)) {
        handle.invoke(null, named, earlier); // the JVM keeps an ignored signal ignored anyway
        warnIgnored(signal, what);
        return;
      }
      replaced.add(new Replaced(named, earlier));
    } catch (ReflectiveOperationException | RuntimeException e) {
      Throwable why = e instanceof InvocationTargetException thrown ? thrown.getCause() : e;
      log.warn(
          "SIG{} cannot be caught on this JVM ({}); it keeps the JVM's default",
          signal,
          why.toString());
    }
  }

  /**
   * A signal ignored when the JVM started (nohup ignores SIGHUP, a script's background job SIGINT)
   * stays ignored: say so, and what to use instead, except for SIGINT, which a background job never
   * gets from a keyboard anyway.
   */
  private static void warnIgnored(String signal, String what) {
    String instead = signal.equals("HUP") ? "runner update" : "runner stop or SIGTERM";
    if (signal.equals("INT")) {
      log.debug("SIGINT is ignored by this process (a background job); it runs no {}", what);
    } else {
      log.warn(
          "SIG{} is ignored by this process (started under nohup?), so it runs no {}; use {}"
              + " instead",
          signal,
          what,
          instead);
    }
  }

  /** Puts back the handlers these replaced. */
  @Override
  public void close() {
    try {
      Class<?> signalType = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Method handle = signalType.getMethod("handle", signalType, handlerType);
      for (Replaced r : replaced) {
        handle.invoke(null, r.signal(), r.earlier());
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("cannot put back the earlier signal handlers: {}", e.toString());
    }
    replaced.clear();
  }

  private static Object invoke(
      Method method,
      Object proxy,
      Object[] args,
      String signal,
      String thread,
      String what,
      Runnable action) {
    return switch (method.getName()) {
      case "handle" -> {
        Thread worker = new Thread(() -> runLogged(signal, what, action), thread);
        worker.setContextClassLoader(Signals.class.getClassLoader());
        worker.start();
        yield null;
      }
      case "hashCode" -> System.identityHashCode(proxy);
      case "equals" -> proxy == args[0];
      default -> "SIG" + signal + " handler";
    };
  }

  private static void runLogged(String signal, String what, Runnable action) {
    log.info("SIG{}: {}", signal, what);
    try {
      action.run();
    } catch (RuntimeException e) {
      log.error("SIG{}: {} failed: {}", signal, what, e.toString(), e);
    }
  }
}
