package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runner.service.TaskSource;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The examples in README.md, docs/ and the plugin template's README cannot rot: every {@code hocon}
 * block parses and each task in it validates against the defaults without a typo key, and the
 * {@code java} blocks of each page compile together against the real API.
 */
class DocsExamplesTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern PUBLIC_TYPE =
      Pattern.compile(
          "public\\s+(?:final\\s+|abstract\\s+)*(?:class|interface|record|enum)\\s+(\\w+)");

  @TempDir Path classes;

  static Stream<Path> pages() throws IOException {
    List<Path> pages =
        new ArrayList<>(
            List.of(ROOT.resolve("README.md"), ROOT.resolve("samples/plugin-template/README.md")));
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages.stream();
  }

  @ParameterizedTest
  @MethodSource("pages")
  void hoconExamplesAreValidTaskFiles(Path page) throws IOException {
    for (String block : blocks(page, "hocon")) {
      Config file = ConfigFactory.parseString(block).resolve();
      String origin = page.getFileName().toString();
      assertThat(TaskConfigLoader.unknownKeys(file, origin, "system", TaskSource.OPEN_SECTIONS))
          .as("typo keys in %s", page)
          .isEmpty();
      for (String task : TaskConfigLoader.taskNames(file)) {
        assertThat(TaskConfigLoader.load(file, origin, task, null).name()).isEqualTo(task);
        assertThat(TaskConfigLoader.unknownKeys(file, origin, task, TaskSource.OPEN_SECTIONS))
            .as("typo keys in %s", page)
            .isEmpty();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("pages")
  void javaExamplesCompile(Path page) throws IOException {
    List<JavaFileObject> sources = new ArrayList<>();
    int n = 0;
    for (String block : blocks(page, "java")) {
      Matcher type = PUBLIC_TYPE.matcher(block);
      sources.add(new Source(type.find() ? type.group(1) : "Example" + n++, block));
    }
    if (sources.isEmpty()) {
      return;
    }
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    boolean ok =
        compiler
            .getTask(
                errors,
                null,
                null,
                List.of(
                    "-d",
                    classes.toString(),
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "-proc:none",
                    "-implicit:none"),
                null,
                sources)
            .call();
    assertThat(ok).as("java examples of %s compile:%n%s", page, errors).isTrue();
  }

  private static List<String> blocks(Path page, String language) throws IOException {
    List<String> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(Files.readString(page));
    while (m.find()) {
      if (m.group(1).equals(language)) {
        blocks.add(m.group(2));
      }
    }
    return blocks;
  }

  /** One snippet as a compilation unit, named after its public type as javac requires. */
  private static final class Source extends SimpleJavaFileObject {
    private final String code;

    Source(String name, String code) {
      super(URI.create("string:///" + name + ".java"), Kind.SOURCE);
      this.code = code;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return code;
    }
  }
}
