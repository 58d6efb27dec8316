package dev.lanes.runner.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin jar: <b>child-first</b>, so a plugin may bring its own version of
 * a library the runner also has (a Kafka client, Jackson...), except for the packages the handler
 * API is made of, which always come from the runner so that a plugin's handler is a {@code
 * dev.lanes.api.MessageHandler} of the runner: the JDK, {@code dev.lanes}, SLF4J, typesafe-config
 * ({@code HandlerContext.config()}) and Micrometer ({@code HandlerContext.meterRegistry()}).
 * Resources are looked up child-first too.
 */
final class PluginClassLoader extends URLClassLoader {

  /** Package prefixes always loaded parent-first (from the runner). */
  static final List<String> SHARED =
      List.of(
          "java.",
          "javax.",
          "jdk.",
          "sun.",
          "com.sun.",
          "dev.lanes.",
          "org.slf4j.",
          "com.typesafe.config.",
          "io.micrometer.");

  static {
    registerAsParallelCapable();
  }

  private final Path jar;

  PluginClassLoader(Path jar, ClassLoader parent) throws IOException {
    super("plugin:" + jar.getFileName(), new URL[] {jar.toUri().toURL()}, parent);
    this.jar = jar;
  }

  /** The plugin jar this loader reads. */
  Path jar() {
    return jar;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (isShared(name)) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> type = findLoadedClass(name);
      if (type == null) {
        try {
          type = findClass(name);
        } catch (ClassNotFoundException notInThePlugin) {
          type = getParent().loadClass(name);
        }
      }
      if (resolve) {
        resolveClass(type);
      }
      return type;
    }
  }

  @Override
  public URL getResource(String name) {
    URL own = findResource(name);
    return own != null ? own : getParent().getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
    all.addAll(Collections.list(getParent().getResources(name)));
    return Collections.enumeration(all);
  }

  static boolean isShared(String className) {
    for (String prefix : SHARED) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
