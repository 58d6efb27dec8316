package dev.lanes.it;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders {@code docs/configuration.md} from the {@code reference.conf} files of every module on
 * the class path: each key under {@code lanes.task} with its default and the comment above it.
 */
final class ConfigurationReference {

  private static final String HEADER =
      """
      # Configuration reference

      Generated from the `reference.conf` files of every module (`lanes.task` in each); do not
      edit by hand. `ConfigurationReferenceTest` fails when this page and the code disagree;
      regenerate it with

      ```sh
      mvn -B -pl it -am verify -Dtest=ConfigurationReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dlanes.docs.write=true
      ```

      A task's config is its own section of the task file, over the file's `system` section, over
      these defaults. Durations take HOCON units (`500ms`, `30s`, `5m`); secrets come from the
      environment with `${?VAR}` substitutions.

      ## The transport has no default

      A task file must set `transport` (in the task or in `system`), or the runner be given
      `--transport`; otherwise the task does not start (exit 2) and says so in one line:

      ```
      runner: conf/app.conf: task 'orders': transport is not set; set transport = local (the embedded durable queue), amqp, kafka or nsq in the task or in system, or give --transport (memory keeps messages in this process only: tests and demos)
      ```

      Why not a default: the old one, `memory`, made a service that forgot the key accept messages
      (`POST /tasks/T/messages`, `runner publish`) that a restart lost. A `local` default would be
      durable, but a service meant for Kafka that forgot the key would then consume an empty local
      queue and look healthy. Naming the transport costs one line and is never a surprise.
      (`TaskConfigLoader.forTask`, for tests and embedding, still takes a task without one: there
      the caller hands the `Transport` in itself.)

      ## Unknown keys and `runner check`

      Lanes knows its own keys: every key listed below (from the `reference.conf` of each module on
      the runner's class path). Handler keys live beside them in a task's section (read with
      `HandlerContext.config()`), so an unknown key is not an error by itself. A key is reported
      when it is

      - at the top of `system` or a task, and a typo of a Lanes key: the same but for case, or at
        most 2 edits (insert, delete, replace, swap of two neighbours) away, e.g. `consumerNumm`,
        `consumernum`, `retyr { ... }`;
      - anywhere inside a section Lanes defines (`retry`, `amqp`, `kafka`, `nsq`, `local`,
        `memory`, `http`, `alerts`, `log`, `plugins`, and the sample handlers' `record`, `orders`,
        `flaky`, `audit`), e.g. `retry.maxRetries`, with the closest key or the keys the section has.

      Not reported: free-form blocks (`kafka.client`, `kafka.consumer`, `kafka.producer`,
      `log.levels`), the `seed` block (its generator reads keys of its own, such as `orders`), and a
      handler's keys that are not a typo away from a Lanes key. So give a handler's keys a section
      of their own (`billing { url = ..., timeout = 2s }`) or names unlike Lanes' keys; a plugin's
      keys are not known to the runner (its `reference.conf` is not read), so they follow the same
      rule.

      A start (foreground, service, `runner update`, SIGHUP) logs one WARN per reported key and runs
      with the defaults of the keys it meant; `runner start` also prints them on the terminal, since
      the service logs to its log file:

      ```
      WARN ... conf/app.conf:4: task 'orders': consumerNumm: unknown key, did you mean consumerNum? (check the file with `runner check`)
      runner: warning: conf/development.conf:4: task 'orders': consumerNumm: unknown key, did you mean consumerNum?
      ```

      `runner check [--config FILE] [--task T] [--transport X] [--plugins DIR]` validates every task
      of a file (or one), for CI before a deploy, without connecting to a broker and without running
      handler code. It prints one line per problem and exits 2, or one `OK` line and exits 0:

      ```
      $ bin/runner check --config conf/app.conf
      conf/app.conf:3: system: chanelLength: unknown key, did you mean channelLength?
      conf/app.conf:6: task 'bad_value': consumerNum: expected an integer >= 1, got 0
      conf/app.conf: task 'no_handler': handler class not found: com.acme.NoSuchHandler (not on the runner's class path, nor in a plugin jar: plugins directory plugins does not exist)
      conf/app.conf: task 'no_transport': unknown transport 'pigeon'; available: amqp, kafka, local, memory, nsq
      $ echo $?
      2
      ```

      It checks: the file parses; each task's values are valid, as a start checks them (core keys
      and the runner's own: `http.*`, `alerts.*`, `log.*`, `plugins.dir`, `exitWhenIdle`); the
      transport is set and exists; the handler is found, on the runner's class path (looked up
      without being initialized; it must implement `MessageHandler` and have a public no-argument
      constructor) or in a plugin jar (its entries and listing only: no plugin class is loaded);
      and the unknown keys above, which here are problems. It does not check a transport's own
      section (`amqp.prefetch`, `kafka.topic`...): each transport validates that when it opens the
      task's source, at start. Only the first invalid value of a task is reported (as at start).
      """;

  private ConfigurationReference() {}

  static String render() {
    ConfigFactory.invalidateCaches();
    // the files' own defaults: resolved without the environment, which may hold secrets
    // (LANES_AMQP_URI, LANES_PUBLISH_TOKEN) that must not be written into the page
    Config defaults =
        ConfigFactory.parseResourcesAnySyntax("reference.conf")
            .resolve(ConfigResolveOptions.noSystem())
            .getConfig("lanes.task");
    Map<String, List<String[]>> sections = new TreeMap<>();
    collect(defaults.root(), "", sections);
    StringBuilder md = new StringBuilder(HEADER);
    List<String[]> taskKeys = sections.remove("");
    appendSection(md, "Task keys", taskKeys);
    sections.forEach((section, rows) -> appendSection(md, "`" + section + "`", rows));
    return md.toString();
  }

  private static void collect(
      ConfigObject object, String prefix, Map<String, List<String[]>> sections) {
    for (Map.Entry<String, ConfigValue> entry : new TreeMap<>(object).entrySet()) {
      String path = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
      ConfigValue value = entry.getValue();
      boolean nested =
          value.valueType() == ConfigValueType.OBJECT && !((ConfigObject) value).isEmpty();
      if (nested) {
        collect((ConfigObject) value, path, sections);
      } else {
        String section = prefix.contains(".") ? prefix.substring(0, prefix.indexOf('.')) : prefix;
        sections
            .computeIfAbsent(section, k -> new ArrayList<>())
            .add(new String[] {path, render(value), comment(value)});
      }
    }
  }

  private static void appendSection(StringBuilder md, String title, List<String[]> rows) {
    if (rows == null || rows.isEmpty()) {
      return;
    }
    md.append("\n## ")
        .append(title)
        .append("\n\n| key | default | meaning |\n| --- | --- | --- |\n");
    for (String[] row : rows) {
      md.append("| `")
          .append(row[0])
          .append("` | `")
          .append(row[1])
          .append("` | ")
          .append(row[2])
          .append(" |\n");
    }
  }

  private static String render(ConfigValue value) {
    String text = value.render(ConfigRenderOptions.concise());
    return text.replace("|", "\\|");
  }

  private static String comment(ConfigValue value) {
    return String.join(" ", value.origin().comments().stream().map(String::trim).toList())
        .replace("|", "\\|");
  }
}
