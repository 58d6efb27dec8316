package dev.lanes.runner.plugin;

import dev.lanes.api.MessageHandler;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.TaskConfig;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Instantiates a task's {@link MessageHandler} from its {@code handler} key:
 *
 * <ul>
 *   <li>a class name ({@code com.acme.AccountUpdateHandler}): from the runner's own class path when
 *       it is there, else from the one plugin jar in the plugins directory that has it;
 *   <li>a plain name without dots ({@code AccountUpdateHandler}): the handler with that simple
 *       class name that a plugin jar lists in {@code
 *       META-INF/services/dev.lanes.api.MessageHandler}.
 * </ul>
 *
 * <p>A plugin's handler comes from a class loader of its own over its jar alone ({@link
 * PluginClassLoader}); the jar is read only when the handler is not on the runner's class path.
 * Everything that goes wrong, loading or later in the handler's {@code open} ({@link #start}), is a
 * {@link ReadyFailedException} whose one-line message names the file, task, jar and class.
 */
public final class HandlerLoader {

  private HandlerLoader() {}

  /**
   * The task's handler, not yet opened.
   *
   * @param loader the runner's class loader, also the parent of every plugin's
   * @param pluginsDir the plugins directory
   * @throws ReadyFailedException when it cannot be found or instantiated
   */
  public static MessageHandler load(TaskConfig task, ClassLoader loader, Path pluginsDir) {
    String name = handlerName(task);
    String where = where(task);
    if (name.contains(".")) {
      Class<?> type;
      try {
        type = Class.forName(name, true, loader);
      } catch (ClassNotFoundException e) {
        return fromPlugin(where, name, pluginsDir, loader, true);
      } catch (LinkageError e) {
        throw new ReadyFailedException(where + "handler " + name + " cannot be loaded: " + e, e);
      }
      return instantiate(where + "handler " + name, type);
    }
    return fromPlugin(where, name, pluginsDir, loader, false);
  }

  /**
   * Checks that the task's handler can be found, without running any of its code ({@code runner
   * check}): a class on the runner's class path is looked up without being initialized and must
   * implement {@link MessageHandler} with a public no-argument constructor; a plugin's handler is
   * looked for in the jars' entries and listings only (no plugin class is loaded).
   *
   * @throws ReadyFailedException with the message {@link #load} would give
   */
  public static void check(TaskConfig task, ClassLoader loader, Path pluginsDir) {
    String name = handlerName(task);
    String where = where(task);
    if (!name.contains(".")) {
      findInPlugins(where, name, pluginsDir, false);
      return;
    }
    Class<?> type;
    try {
      type = Class.forName(name, false, loader);
    } catch (ClassNotFoundException e) {
      findInPlugins(where, name, pluginsDir, true);
      return;
    } catch (LinkageError e) {
      throw new ReadyFailedException(where + "handler " + name + " cannot be loaded: " + e, e);
    }
    handlerConstructor(where + "handler " + name, type);
  }

  private static String handlerName(TaskConfig task) {
    String name = task.handler().trim();
    if (name.isEmpty()) {
      throw new ReadyFailedException(
          where(task)
              + "handler: expected the class name of a"
              + " dev.lanes.api.MessageHandler, or the name of one a plugin lists");
    }
    return name;
  }

  private static String where(TaskConfig task) {
    return task.origin() + ": task '" + task.name() + "': ";
  }

  /**
   * Starts {@code runtime}, which runs {@code handler}. When it cannot start, closes the handler's
   * plugin class loader (if any) and reports a plugin handler's failed {@code open} naming the
   * file, task, jar and class.
   *
   * @throws ReadyFailedException when the runtime cannot start
   */
  public static void start(TaskRuntime runtime, MessageHandler handler) {
    try {
      runtime.start();
    } catch (ReadyFailedException e) {
      release(handler);
      throw explain(runtime.task(), e);
    }
  }

  /**
   * Closes the plugin class loader of a handler that will not run; nothing for the runner's own.
   */
  private static void release(MessageHandler handler) {
    if (handler instanceof PluginHandler plugin) {
      try {
        plugin.release();
      } catch (IOException e) {
        // the jar stays open until the process ends: harmless
      }
    }
  }

  /**
   * The start failure to report: when a plugin's handler failed to open, one naming the file, task,
   * jar and class (the runtime's own message names only the wrapper); else {@code failure}.
   */
  private static ReadyFailedException explain(TaskConfig task, ReadyFailedException failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PluginHandler.OpenFailed open) {
        return new ReadyFailedException(
            task.origin() + ": task '" + task.name() + "': " + open.getMessage(), open.getCause());
      }
    }
    return failure;
  }

  private static MessageHandler fromPlugin(
      String where, String name, Path pluginsDir, ClassLoader parent, boolean byClassName) {
    Found found = findInPlugins(where, name, pluginsDir, byClassName);
    return load(found.label(), found.className(), found.jar(), parent);
  }

  /** A handler found in a plugin jar: the jar, its class name, and how messages name it. */
  private record Found(PluginJar jar, String className, String label) {}

  private static Found findInPlugins(
      String where, String name, Path pluginsDir, boolean byClassName) {
    PluginDirectory directory = new PluginDirectory(pluginsDir);
    List<PluginJar> jars;
    try {
      jars = directory.jars();
    } catch (IOException e) {
      throw new ReadyFailedException(where + e.getMessage(), e);
    }
    List<PluginJar> matches = new ArrayList<>();
    String className = name;
    for (PluginJar jar : jars) {
      List<String> listed = byClassName ? List.of() : jar.listedNamed(name);
      if (byClassName ? jar.has(name) : !listed.isEmpty()) {
        matches.add(jar);
        if (!byClassName) {
          if (listed.size() > 1) {
            throw new ReadyFailedException(
                where
                    + "plugin "
                    + jar.path()
                    + " lists more than one"
                    + " handler named '"
                    + name
                    + "': "
                    + String.join(", ", listed)
                    + "; name it by its class name");
          }
          className = listed.get(0);
        }
      }
    }
    if (matches.isEmpty()) {
      throw notFound(where, name, directory, jars, byClassName);
    }
    if (matches.size() > 1) {
      throw new ReadyFailedException(
          where
              + "handler "
              + name
              + " is in more than one plugin jar: "
              + matches.stream().map(j -> j.path().toString()).collect(Collectors.joining(", "))
              + "; keep one of them in "
              + pluginsDir);
    }
    PluginJar jar = matches.get(0);
    String plugin = where + "plugin " + jar.path() + ": handler " + className;
    if (!jar.has(className)) {
      throw new ReadyFailedException(
          plugin + " is listed in " + PluginJar.LISTING + " but the jar has no such class");
    }
    return new Found(jar, className, plugin);
  }

  private static ReadyFailedException notFound(
      String where,
      String name,
      PluginDirectory directory,
      List<PluginJar> jars,
      boolean byClassName) {
    if (byClassName) {
      return new ReadyFailedException(
          where
              + "handler class not found: "
              + name
              + " (not on the runner's class path, nor in a plugin jar: "
              + directory.describe(jars)
              + ")");
    }
    List<String> listed = new ArrayList<>();
    jars.forEach(
        j ->
            j.listedHandlers()
                .forEach(
                    c ->
                        listed.add(PluginJar.simpleName(c) + " (" + j.path().getFileName() + ")")));
    return new ReadyFailedException(
        where
            + "no plugin lists a handler named '"
            + name
            + "' in "
            + PluginJar.LISTING
            + " ("
            + directory.describe(jars)
            + "; "
            + (listed.isEmpty() ? "none lists a handler" : "listed: " + String.join(", ", listed))
            + "); a handler on the runner's class path is named by its full class name");
  }

  private static MessageHandler load(
      String plugin, String className, PluginJar jar, ClassLoader parent) {
    PluginClassLoader loader;
    try {
      loader = new PluginClassLoader(jar.path(), parent);
    } catch (IOException e) {
      throw new ReadyFailedException(plugin + ": cannot open the jar: " + e, e);
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      Class<?> type = Class.forName(className, true, loader);
      if (type.getClassLoader() != loader) {
        throw new ReadyFailedException(
            plugin
                + " is one of the runner's own classes (a package"
                + " the runner shares with plugins: "
                + String.join(" ", PluginClassLoader.SHARED)
                + "); give it a package of its own");
      }
      return new PluginHandler(instantiate(plugin, type), loader);
    } catch (ClassNotFoundException | LinkageError e) {
      closeQuietly(loader);
      throw new ReadyFailedException(
          plugin + " cannot be loaded: " + e + " (put the libraries it needs into the plugin jar)",
          e);
    } catch (RuntimeException e) {
      closeQuietly(loader);
      throw e;
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private static MessageHandler instantiate(String handler, Class<?> type) {
    try {
      return (MessageHandler) handlerConstructor(handler, type).newInstance();
    } catch (InvocationTargetException e) {
      throw new ReadyFailedException(
          handler + " constructor failed: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new ReadyFailedException(handler + " cannot be instantiated: " + e, e);
    }
  }

  private static Constructor<?> handlerConstructor(String handler, Class<?> type) {
    if (!MessageHandler.class.isAssignableFrom(type)) {
      throw new ReadyFailedException(handler + " does not implement dev.lanes.api.MessageHandler");
    }
    try {
      return type.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new ReadyFailedException(handler + " needs a public no-argument constructor", e);
    }
  }

  private static void closeQuietly(PluginClassLoader loader) {
    try {
      loader.close();
    } catch (IOException e) {
      // the jar stays open until the process ends: harmless
    }
  }
}
