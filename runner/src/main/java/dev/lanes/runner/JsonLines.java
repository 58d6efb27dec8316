package dev.lanes.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads JSON Lines input (one JSON value per line, as {@code runner publish} and audit journals
 * use): every non-blank line goes, with its 1-based line number, through a parser, and the results
 * come back in input order. The first line the parser refuses ends the read, so a caller that uses
 * nothing until the read is done uses nothing of a bad input.
 */
public final class JsonLines {

  private JsonLines() {}

  /**
   * Turns one line into a value, or refuses it.
   *
   * @param <T> what a line becomes
   * @param <E> how a line is refused
   */
  @FunctionalInterface
  public interface LineParser<T, E extends Exception> {
    /** The value of {@code line}, the input's line {@code number} (1-based). */
    T parse(String line, int number) throws E;
  }

  /** The parsed non-blank lines of {@code in}, read to its end (the caller closes it). */
  public static <T, E extends Exception> List<T> read(BufferedReader in, LineParser<T, E> parser)
      throws IOException, E {
    List<T> values = new ArrayList<>();
    String line;
    int number = 0;
    while ((line = in.readLine()) != null) {
      number++;
      if (!line.isBlank()) {
        values.add(parser.parse(line, number));
      }
    }
    return values;
  }
}
