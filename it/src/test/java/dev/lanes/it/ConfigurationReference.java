package dev.lanes.it;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
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
      """;

  private ConfigurationReference() {}

  static String render() {
    ConfigFactory.invalidateCaches();
    Config defaults = ConfigFactory.defaultReference().getConfig("lanes.task");
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
