package dev.lanes.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds the keys of a task file section that Lanes does not know, so that a typo ({@code
 * consumerNumm = 10}) never passes silently while the task runs with the default.
 *
 * <p>Handler keys live beside Lanes' own keys in a task section, so an unknown key is not wrong by
 * itself. The rules:
 *
 * <ul>
 *   <li>at the top of a section, an unknown key is reported only when it is a typo of a known one:
 *       the same but for case, or at most {@link #MAX_DISTANCE} edits away (a handler's key far
 *       from every Lanes key, such as {@code downstream.url}, is left alone);
 *   <li>inside a section Lanes defines ({@code retry}, {@code amqp}, {@code http}...) every unknown
 *       key is reported, with the closest known key or the keys that section has;
 *   <li>free-form blocks (an empty object in {@code reference.conf}, such as {@code kafka.client})
 *       and the open sections given to the constructor (whose keys a plugged-in class reads) take
 *       any key.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class UnknownKeys {

  /** The most edits (insert, delete, replace, swap of neighbours) that still make a typo. */
  public static final int MAX_DISTANCE = 2;

  private final Config defaults;
  private final Set<String> openSections;

  /**
   * @param defaults the known keys with their defaults, e.g. {@link TaskConfigLoader#defaults()}
   * @param openSections paths of sections whose keys are not Lanes' own, e.g. {@code seed}
   */
  public UnknownKeys(Config defaults, Set<String> openSections) {
    this.defaults = defaults;
    this.openSections = Set.copyOf(openSections);
  }

  /**
   * The unknown keys of one section of a task file, in the order of their lines.
   *
   * @param section the section as written in the file ({@code system} or a task's), not merged
   * @param origin the file, for the messages
   * @param label {@code task 'NAME'} or {@code system}
   */
  public List<UnknownKey> in(Config section, String origin, String label) {
    List<UnknownKey> found = new ArrayList<>();
    walk(section.root(), "", origin, label, found);
    found.sort(Comparator.comparingInt(UnknownKey::line));
    return List.copyOf(found);
  }

  private void walk(
      ConfigObject object, String prefix, String origin, String label, List<UnknownKey> found) {
    ConfigObject known = prefix.isEmpty() ? defaults.root() : defaults.getObject(prefix);
    for (Map.Entry<String, ConfigValue> entry : new TreeMap<>(object).entrySet()) {
      String name = entry.getKey();
      String path = prefix.isEmpty() ? quoted(name) : prefix + "." + quoted(name);
      ConfigValue value = entry.getValue();
      ConfigValue defaultValue = known.get(name);
      if (defaultValue == null) {
        hint(prefix, name, known)
            .ifPresent(
                h ->
                    found.add(new UnknownKey(origin, value.origin().lineNumber(), label, path, h)));
      } else if (isSection(defaultValue, path) && value.valueType() == ConfigValueType.OBJECT) {
        walk((ConfigObject) value, path, origin, label, found);
      }
    }
  }

  private boolean isSection(ConfigValue defaultValue, String path) {
    return defaultValue.valueType() == ConfigValueType.OBJECT
        && !((ConfigObject) defaultValue).isEmpty()
        && !openSections.contains(path);
  }

  /** What to say about the unknown {@code name}; empty when it may be a handler's own key. */
  private static Optional<String> hint(String prefix, String name, ConfigObject known) {
    String closest = null;
    int best = Integer.MAX_VALUE;
    for (String candidate : new TreeMap<>(known).keySet()) {
      int distance = candidate.equalsIgnoreCase(name) ? 0 : EditDistance.between(name, candidate);
      if (distance < best) {
        best = distance;
        closest = candidate;
      }
    }
    String dotted = prefix.isEmpty() ? "" : prefix + ".";
    if (closest != null && best <= MAX_DISTANCE && best < name.length()) {
      return Optional.of(", did you mean " + dotted + quoted(closest) + "?");
    }
    if (prefix.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("; " + prefix + " has " + String.join(", ", new TreeMap<>(known).keySet()));
  }

  private static String quoted(String name) {
    return ConfigUtil.joinPath(name);
  }
}
