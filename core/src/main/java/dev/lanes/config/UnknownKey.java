package dev.lanes.config;

/**
 * A key of a task file that no {@code reference.conf} on the class path defines, found by {@link
 * UnknownKeys}.
 *
 * @param origin the task file, as named in other config errors
 * @param line the key's line in the file; 0 when unknown
 * @param section {@code task 'NAME'} or {@code system}
 * @param key the key's path inside the section, e.g. {@code consumerNumm} or {@code retry.foo}
 * @param hint what to write instead: {@code , did you mean consumerNum?} or {@code ; retry has a,
 *     b}
 */
public record UnknownKey(String origin, int line, String section, String key, String hint) {

  /**
   * One line: {@code conf/x.conf:4: task 'orders': consumerNumm: unknown key, did you mean ...}.
   */
  public String message() {
    return origin
        + (line > 0 ? ":" + line : "")
        + ": "
        + section
        + ": "
        + key
        + ": unknown key"
        + hint;
  }
}
