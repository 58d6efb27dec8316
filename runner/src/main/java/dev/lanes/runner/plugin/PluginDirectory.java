package dev.lanes.runner.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The plugins directory ({@code plugins.dir} / {@code --plugins}): every regular file ending in
 * {@code .jar} directly in it is a plugin; hidden files (a name starting with {@code .}, e.g. a jar
 * still being copied) and subdirectories are not looked at. Nothing outside this directory is ever
 * loaded as a plugin.
 */
record PluginDirectory(Path dir) {

  /** The plugin jars, sorted by file name; none when the directory does not exist. */
  List<PluginJar> jars() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<PluginJar> jars = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(PluginDirectory::isPluginJar).sorted().toList()) {
        try {
          jars.add(PluginJar.read(file));
        } catch (IOException e) {
          throw new IOException("cannot read plugin " + file + ": " + e.getMessage(), e);
        }
      }
    }
    return jars;
  }

  private static boolean isPluginJar(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".jar") && !name.startsWith(".") && Files.isRegularFile(file);
  }

  /** Says what the directory holds, for "not found" messages. */
  String describe(List<PluginJar> jars) {
    if (!Files.isDirectory(dir)) {
      return "plugins directory " + dir + " does not exist";
    }
    if (jars.isEmpty()) {
      return "plugins directory " + dir + " has no jars";
    }
    return "plugins directory "
        + dir
        + " has "
        + String.join(", ", jars.stream().map(j -> j.path().getFileName().toString()).toList());
  }
}
