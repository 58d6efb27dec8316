package dev.lanes.runner.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds plugin jars for tests: compiles Java sources against the test class path and jars them.
 */
final class PluginJars {

  private PluginJars() {}

  /**
   * Writes {@code jar} holding the compiled {@code sources} (class name → source text) and, when
   * {@code listing} is not empty, a {@code META-INF/services/dev.lanes.api.MessageHandler} with
   * those lines.
   */
  static Path build(Path jar, Map<String, String> sources, List<String> listing)
      throws IOException {
    Path work = Files.createTempDirectory(jar.getParent(), ".build-");
    Path src = work.resolve("src");
    Path classes = Files.createDirectories(work.resolve("classes"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "-d",
                classes.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "--release",
                "17"));
    for (Map.Entry<String, String> source : sources.entrySet()) {
      Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue());
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac.run(null, null, null, args.toArray(String[]::new)) != 0) {
      throw new IllegalStateException("test plugin sources do not compile: " + sources.keySet());
    }
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
      if (!listing.isEmpty()) {
        out.putNextEntry(new JarEntry(PluginJar.LISTING));
        write(out, String.join("\n", listing) + "\n");
        out.closeEntry();
      }
    }
    return jar;
  }

  /**
   * The source of handler class {@code name}: {@code open} runs {@code openBody}, {@code handle}
   * returns {@code outcome} (a Java expression of type {@code Outcome}, may use {@code m}).
   */
  static String handler(String name, String openBody, String outcome) {
    int dot = name.lastIndexOf('.');
    return """
        package %s;
        import dev.lanes.api.*;
        public class %s implements MessageHandler {
          @Override public void open(HandlerContext context) throws Exception { %s }
          @Override public Outcome handle(Message m) { return %s; }
        }
        """
        .formatted(name.substring(0, dot), name.substring(dot + 1), openBody, outcome);
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }
}
