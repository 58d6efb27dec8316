package dev.lanes.runner;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGHUP (reload). The JDK's only way to catch a signal is {@code
 * sun.misc.Signal} (module jdk.unsupported); it is reached reflectively so the build stays free of
 * internal-API warnings. Where it is missing, SIGHUP keeps its default and {@code runner update}
 * still works.
 */
final class HangupSignal {

  private static final Logger log = LoggerFactory.getLogger(HangupSignal.class);

  private HangupSignal() {}

  /**
   * Installs {@code action} as the SIGHUP handler. It runs on a thread of its own, {@code
   * lanes-reload}, with this class's loader as context class loader (the JDK's signal thread has
   * none, and config loading needs one).
   */
  static void onHangup(Runnable action) {
    try {
      Class<?> signalType = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object signal = signalType.getConstructor(String.class).newInstance("HUP");
      InvocationHandler call = (proxy, method, args) -> invoke(method, action, proxy, args);
      Object handler =
          Proxy.newProxyInstance(
              HangupSignal.class.getClassLoader(), new Class<?>[] {handlerType}, call);
      signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, handler);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn(
          "SIGHUP cannot be caught on this JVM ({}); use `runner update` to reload", e.toString());
    }
  }

  private static void runLogged(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.error("SIGHUP: reload failed: {}", e.toString(), e);
    }
  }

  private static Object invoke(Method method, Runnable action, Object proxy, Object[] args) {
    return switch (method.getName()) {
      case "handle" -> {
        Thread reload = new Thread(() -> runLogged(action), "lanes-reload");
        reload.setContextClassLoader(HangupSignal.class.getClassLoader());
        reload.start();
        yield null;
      }
      case "hashCode" -> System.identityHashCode(proxy);
      case "equals" -> proxy == args[0];
      default -> "SIGHUP handler";
    };
  }
}
