package dev.lanes.runner.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runner.ExitCodes;
import dev.lanes.runner.ServiceHarness;
import dev.lanes.spi.TaskConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandlerLoaderTest {

  private static final ClassLoader RUNNER = HandlerLoaderTest.class.getClassLoader();

  @TempDir Path dir;
  private Path plugins;

  @BeforeEach
  void pluginsDirectory() throws IOException {
    plugins = Files.createDirectories(dir.resolve("plugins"));
  }

  private static TaskConfig task(String handler) {
    return TaskConfigLoader.forTask("billing", Map.of("handler", handler));
  }

  private static Message message() {
    return Message.builder().id("m-1").payload("{}".getBytes(StandardCharsets.UTF_8)).build();
  }

  private Path jar(String file, Map<String, String> sources, List<String> listing)
      throws IOException {
    return PluginJars.build(plugins.resolve(file), sources, listing);
  }

  private Path rejectingHandlerJar(String file, String className) throws IOException {
    return jar(
        file,
        Map.of(
            className,
            PluginJars.handler(className, "", "Outcome.reject(\"handled by " + file + "\")")),
        List.of());
  }

  @Test
  void loadsAHandlerByClassNameInAClassLoaderOfItsOwn() throws Exception {
    rejectingHandlerJar("billing.jar", "com.acme.billing.InvoiceHandler");

    MessageHandler handler =
        HandlerLoader.load(task("com.acme.billing.InvoiceHandler"), RUNNER, plugins);

    assertThat(handler.handle(message())).isEqualTo(Outcome.reject("handled by billing.jar"));
    assertThat(((PluginHandler) handler).describe())
        .isEqualTo(
            "plugin "
                + plugins.resolve("billing.jar")
                + ": handler com.acme.billing.InvoiceHandler");
    assertThatThrownBy(() -> Class.forName("com.acme.billing.InvoiceHandler", false, RUNNER))
        .as("the plugin's classes stay out of the runner's class loader")
        .isInstanceOf(ClassNotFoundException.class);
    handler.close();
  }

  @Test
  void loadsAHandlerByTheNameItsPluginLists() throws Exception {
    jar(
        "billing.jar",
        Map.of(
            "com.acme.billing.InvoiceHandler",
            PluginJars.handler(
                "com.acme.billing.InvoiceHandler", "", "Outcome.reject(\"listed\")")),
        List.of("# handlers of this plugin", "com.acme.billing.InvoiceHandler"));

    MessageHandler handler = HandlerLoader.load(task("InvoiceHandler"), RUNNER, plugins);

    assertThat(handler.handle(message())).isEqualTo(Outcome.reject("listed"));
    handler.close();
  }

  @Test
  void eachPluginSeesItsOwnVersionOfAClassBothHave() throws Exception {
    for (String name : List.of("a", "b")) {
      jar(
          name + ".jar",
          Map.of(
              "com.acme.shared.Version",
              "package com.acme.shared; public class Version {"
                  + " public static String text() { return \""
                  + name
                  + "\"; } }",
              "com.acme." + name + ".Handler",
              PluginJars.handler(
                  "com.acme." + name + ".Handler",
                  "",
                  "Outcome.reject(com.acme.shared.Version.text())")),
          List.of());
    }

    MessageHandler a = HandlerLoader.load(task("com.acme.a.Handler"), RUNNER, plugins);
    MessageHandler b = HandlerLoader.load(task("com.acme.b.Handler"), RUNNER, plugins);

    assertThat(a.handle(message())).isEqualTo(Outcome.reject("a"));
    assertThat(b.handle(message())).isEqualTo(Outcome.reject("b"));
    a.close();
    b.close();
  }

  @Test
  void aClassInNoPluginIsReadyFailedSayingWhatTheDirectoryHas() throws Exception {
    rejectingHandlerJar("billing.jar", "com.acme.billing.InvoiceHandler");

    assertThatThrownBy(
            () -> HandlerLoader.load(task("com.acme.billing.RefundHandler"), RUNNER, plugins))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 'billing'")
        .hasMessageContaining("handler class not found: com.acme.billing.RefundHandler")
        .hasMessageContaining("plugins directory " + plugins + " has billing.jar");
  }

  @Test
  void aClassThatIsNoHandlerIsReadyFailedNamingJarAndClass() throws Exception {
    jar(
        "tools.jar",
        Map.of(
            "com.acme.tools.Clock",
            "package com.acme.tools; public class Clock { public Clock() {} }"),
        List.of());

    assertThatThrownBy(() -> HandlerLoader.load(task("com.acme.tools.Clock"), RUNNER, plugins))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining(
            "plugin " + plugins.resolve("tools.jar") + ": handler com.acme.tools.Clock")
        .hasMessageContaining("does not implement dev.lanes.api.MessageHandler");
  }

  @Test
  void aListedClassTheJarLacksIsReadyFailedNamingJarAndClass() throws Exception {
    jar(
        "billing.jar",
        Map.of(
            "com.acme.billing.InvoiceHandler",
            PluginJars.handler("com.acme.billing.InvoiceHandler", "", "Outcome.ack()")),
        List.of("com.acme.billing.RenamedHandler"));

    assertThatThrownBy(() -> HandlerLoader.load(task("RenamedHandler"), RUNNER, plugins))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining(
            "plugin "
                + plugins.resolve("billing.jar")
                + ": handler com.acme.billing.RenamedHandler")
        .hasMessageContaining("but the jar has no such class");
  }

  @Test
  void anUnlistedNameIsReadyFailedListingWhatPluginsOffer() throws Exception {
    jar(
        "billing.jar",
        Map.of(
            "com.acme.billing.InvoiceHandler",
            PluginJars.handler("com.acme.billing.InvoiceHandler", "", "Outcome.ack()")),
        List.of("com.acme.billing.InvoiceHandler"));

    assertThatThrownBy(() -> HandlerLoader.load(task("RefundHandler"), RUNNER, plugins))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("no plugin lists a handler named 'RefundHandler'")
        .hasMessageContaining("listed: InvoiceHandler (billing.jar)");
  }

  @Test
  void aClassInTwoJarsIsReadyFailedNamingBoth() throws Exception {
    rejectingHandlerJar("billing-1.jar", "com.acme.billing.InvoiceHandler");
    rejectingHandlerJar("billing-2.jar", "com.acme.billing.InvoiceHandler");

    assertThatThrownBy(
            () -> HandlerLoader.load(task("com.acme.billing.InvoiceHandler"), RUNNER, plugins))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("is in more than one plugin jar")
        .hasMessageContaining("billing-1.jar")
        .hasMessageContaining("billing-2.jar");
  }

  @Test
  void jarsOutsideThePluginsDirectoryOrHiddenInItAreNeverLoaded() throws Exception {
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    PluginJars.build(
        elsewhere.resolve("billing.jar"),
        Map.of(
            "com.acme.billing.InvoiceHandler",
            PluginJars.handler("com.acme.billing.InvoiceHandler", "", "Outcome.ack()")),
        List.of());
    Files.createDirectories(plugins.resolve("nested"));
    Files.copy(elsewhere.resolve("billing.jar"), plugins.resolve("nested").resolve("billing.jar"));
    Files.copy(elsewhere.resolve("billing.jar"), plugins.resolve(".billing.jar"));

    assertThatThrownBy(
            () -> HandlerLoader.load(task("com.acme.billing.InvoiceHandler"), RUNNER, plugins))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("handler class not found")
        .hasMessageContaining("plugins directory " + plugins + " has no jars");
  }

  @Test
  void runnerHandlesMessagesWithAPluginHandlerFromPluginsOption() throws Exception {
    Path record = dir.resolve("handled.txt");
    jar(
        "recorder.jar",
        Map.of(
            "com.acme.rec.LineHandler",
            """
        package com.acme.rec;
        import dev.lanes.api.*;
        import java.nio.file.*;
        public class LineHandler implements MessageHandler {
          private Path file;
          @Override public void open(HandlerContext c) { file = Path.of(c.config().getString("rec.file")); }
          @Override public synchronized Outcome handle(Message m) throws Exception {
            Files.writeString(file, m.key() + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return Outcome.ack();
          }
        }
        """),
        List.of("com.acme.rec.LineHandler"));
    Path tasks =
        taskFile(
            "rec.file = \""
                + record
                + "\", handler = LineHandler,"
                + " seed { generator = dev.lanes.samples.SampleOrders, count = 50, orders = 5 }");

    ServiceHarness.Result run =
        ServiceHarness.run(
            "--task", "t", "--config", tasks.toString(), "--plugins", plugins.toString());

    assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).contains("received 50, acked 50");
    assertThat(Files.readAllLines(record)).hasSize(50);
  }

  @Test
  void aPluginWhoseOpenFailsIsReadyFailedNamingJarAndClassInOneLine() throws Exception {
    jar(
        "broken.jar",
        Map.of(
            "com.acme.broken.Handler",
            PluginJars.handler(
                "com.acme.broken.Handler",
                "throw new IllegalStateException(\"no database at db.example:5432\");",
                "Outcome.ack()")),
        List.of());
    Path tasks = taskFile("handler = com.acme.broken.Handler, plugins.dir = \"" + plugins + "\"");

    ServiceHarness.Result run = ServiceHarness.run("--task", "t", "--config", tasks.toString());

    assertThat(run.code()).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(run.err().strip().lines()).as(run.err()).hasSize(1);
    assertThat(run.err())
        .contains(
            "plugin "
                + plugins.resolve("broken.jar")
                + ": handler com.acme.broken.Handler failed to open")
        .contains("no database at db.example:5432");
  }

  private Path taskFile(String taskKeys) throws IOException {
    Path file = dir.resolve("tasks.conf");
    Files.writeString(
        file,
        "system { transport = memory, consumerNum = 2, http.port = 0 }\n"
            + "t { memory.queue = plugin-"
            + dir.getFileName()
            + ", exitWhenIdle = 300ms, "
            + taskKeys
            + " }\n");
    return file;
  }
}
