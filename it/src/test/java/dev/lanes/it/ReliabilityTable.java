package dev.lanes.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the fault × transport table of docs/reliability.md from the cells measured by a {@link
 * FaultSuiteTest} run: always to {@code target/reliability-table.md}, and into docs/reliability.md
 * (between its table markers) when the system property {@code lanes.reliability.write} is {@code
 * true}; there, a cell the run did not measure keeps its text (so that a run of some of the suite's
 * tests rewrites only their cells). A cell never measured says so.
 */
final class ReliabilityTable {

  /** Checked by RunnerOnBrokerTest's graceful stop mid-stream, not by the fault suite. */
  private static final String SIGTERM = "SIGTERM mid-stream";

  static final List<String> TRANSPORTS = List.of("amqp", "kafka", "nsq", "local");

  /** Every fault of the suite's brief, in the table's order, and where it does not apply. */
  static final Map<String, Set<String>> FAULTS_NOT_APPLICABLE = faults();

  private static final String FLOW_STRESS = "flow-control stress";
  private static final String BEGIN = "<!-- fault-table:begin (written by FaultSuiteTest) -->";
  private static final String END = "<!-- fault-table:end -->";

  private ReliabilityTable() {}

  private static Map<String, Set<String>> faults() {
    Map<String, Set<String>> faults = new LinkedHashMap<>();
    faults.put(SIGTERM, Set.of());
    faults.put("SIGKILL mid-stream", Set.of());
    faults.put("broker restart mid-stream", Set.of("local"));
    faults.put("connection cut and restored", Set.of("local"));
    faults.put("slow and lossy link", Set.of("local"));
    faults.put("broker unreachable at start", Set.of("local"));
    faults.put("broker unreachable for a minute", Set.of("local"));
    faults.put("disk full", Set.of("amqp", "kafka", "nsq"));
    faults.put("poison message", Set.of());
    faults.put("malformed payload", Set.of());
    faults.put("handler hangs", Set.of());
    faults.put("huge payload", Set.of());
    faults.put("handler throws Error", Set.of());
    faults.put(FLOW_STRESS, Set.of());
    return Collections.unmodifiableMap(faults);
  }

  /** One measured cell: what {@code fault} did on {@code transport}. */
  record Cell(String fault, String transport, String text) {}

  static void write(List<Cell> records) throws IOException {
    String table = table(records);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "reliability-table.md"), table);
    if (Boolean.getBoolean("lanes.reliability.write")) {
      Path doc = Path.of("..", "docs", "reliability.md");
      String text = Files.readString(doc);
      int begin = text.indexOf(BEGIN);
      int end = text.indexOf(END);
      if (begin < 0 || end < begin) {
        throw new IllegalStateException(doc + " has no " + BEGIN + " ... " + END + " markers");
      }
      // a run of some tests only (-Dtest=FaultSuiteTest#...) keeps the cells it did not measure
      List<Cell> kept = new ArrayList<>(records);
      cells(text.substring(begin + BEGIN.length(), end)).stream()
          .filter(c -> find(records, c.fault(), c.transport()).isEmpty())
          .forEach(kept::add);
      Files.writeString(
          doc,
          text.substring(0, begin + BEGIN.length()) + "\n" + table(kept) + text.substring(end));
    }
  }

  static String table(List<Cell> records) {
    StringBuilder out = new StringBuilder("| fault |");
    TRANSPORTS.forEach(t -> out.append(' ').append(t).append(" |"));
    out.append("\n| --- |");
    TRANSPORTS.forEach(t -> out.append(" --- |"));
    out.append('\n');
    FAULTS_NOT_APPLICABLE.forEach(
        (fault, notApplicable) -> {
          out.append("| ").append(fault).append(" |");
          for (String transport : TRANSPORTS) {
            out.append(' ').append(cell(records, fault, transport, notApplicable)).append(" |");
          }
          out.append('\n');
        });
    return out.toString();
  }

  private static String cell(
      List<Cell> records, String fault, String transport, Set<String> notApplicable) {
    if (notApplicable.contains(transport)) {
      return "n/a";
    }
    if (fault.equals(SIGTERM)) {
      return "exactly once, in order (RunnerOn…Test)";
    }
    if (fault.equals(FLOW_STRESS)) {
      return "8,000 through 4 lanes of 2: all handled, in order, no stall (conformance kit)";
    }
    return find(records, fault, transport).map(Cell::text).orElse("not yet measured");
  }

  private static Optional<Cell> find(List<Cell> records, String fault, String transport) {
    return records.stream()
        .filter(r -> r.fault().equals(fault) && r.transport().equals(transport))
        .findFirst();
  }

  /** The measured cells of a table as {@link #table} writes it. */
  static List<Cell> cells(String table) {
    List<Cell> cells = new ArrayList<>();
    for (String line : table.split("\n")) {
      String[] columns = line.split("\\|");
      if (columns.length != TRANSPORTS.size() + 2
          || !FAULTS_NOT_APPLICABLE.containsKey(columns[1].strip())) {
        continue;
      }
      for (int i = 0; i < TRANSPORTS.size(); i++) {
        String text = columns[i + 2].strip();
        if (!text.equals("n/a") && !text.equals("not yet measured")) {
          cells.add(new Cell(columns[1].strip(), TRANSPORTS.get(i), text));
        }
      }
    }
    return cells;
  }
}
