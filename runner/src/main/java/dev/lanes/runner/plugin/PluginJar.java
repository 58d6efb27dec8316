package dev.lanes.runner.plugin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * What one plugin jar holds, read from its entries without loading any class: its class files, and
 * the handlers it lists in {@code META-INF/services/dev.lanes.api.MessageHandler} (the {@link
 * java.util.ServiceLoader} format: one class name per line, {@code #} comments).
 *
 * @param path the jar, as found in the plugins directory
 * @param classFiles entry names of its class files, e.g. {@code com/acme/Handler.class}
 * @param listedHandlers the class names its handler listing names, in order
 */
record PluginJar(Path path, Set<String> classFiles, List<String> listedHandlers) {

  /** Where a plugin lists its handlers. */
  static final String LISTING = "META-INF/services/dev.lanes.api.MessageHandler";

  /** Reads a jar's entries and handler listing. */
  static PluginJar read(Path path) throws IOException {
    Set<String> classes = new HashSet<>();
    List<String> listed = new ArrayList<>();
    try (JarFile jar = new JarFile(path.toFile())) {
      jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class")).forEach(classes::add);
      JarEntry listing = jar.getJarEntry(LISTING);
      if (listing != null) {
        try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(jar.getInputStream(listing), StandardCharsets.UTF_8))) {
          in.lines().map(PluginJar::withoutComment).filter(l -> !l.isEmpty()).forEach(listed::add);
        }
      }
    }
    return new PluginJar(path, Set.copyOf(classes), List.copyOf(listed));
  }

  /** Whether the jar has the class file of {@code className}. */
  boolean has(String className) {
    return classFiles.contains(className.replace('.', '/') + ".class");
  }

  /** The listed handlers whose simple class name is {@code name}. */
  List<String> listedNamed(String name) {
    return listedHandlers.stream().filter(c -> simpleName(c).equals(name)).toList();
  }

  static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  private static String withoutComment(String line) {
    int hash = line.indexOf('#');
    return (hash < 0 ? line : line.substring(0, hash)).trim();
  }
}
