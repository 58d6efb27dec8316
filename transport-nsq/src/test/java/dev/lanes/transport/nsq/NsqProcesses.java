package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Real processes for fault tests: restarting the shared nsqd the way {@code scripts/brokers.sh}
 * runs it, and starting a second nsqd of our own.
 */
final class NsqProcesses {

  private NsqProcesses() {}

  /** Where {@code scripts/brokers.sh} keeps binaries, data and pid files. */
  static Path brokersHome() {
    String home = System.getenv("LANES_BROKERS_HOME");
    return home != null
        ? Paths.get(home)
        : Paths.get(System.getProperty("user.home"), ".cache", "lanes-brokers");
  }

  /** {@code scripts/brokers.sh} of this checkout (or {@code -Dlanes.brokers.script}). */
  static Path brokersScript() {
    String explicit = System.getProperty("lanes.brokers.script");
    if (explicit != null) {
      return Paths.get(explicit);
    }
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path script = dir.resolve("scripts").resolve("brokers.sh");
      if (Files.isRegularFile(script)) {
        return script;
      }
    }
    return fail(
        "scripts/brokers.sh not found above "
            + Paths.get("").toAbsolutePath()
            + "; give its path with -Dlanes.brokers.script=...");
  }

  /**
   * Stops the shared nsqd with SIGTERM (it writes its in-memory and in-flight messages to its data
   * directory), then starts it again with {@code scripts/brokers.sh start nsq}, which waits until
   * it answers.
   */
  static void restartSharedNsqd() throws IOException, InterruptedException {
    Path pidFile = brokersHome().resolve("pids").resolve("nsqd.pid");
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    ProcessHandle nsqd =
        ProcessHandle.of(pid)
            .orElseThrow(() -> new AssertionError("no process " + pid + " from " + pidFile));
    assertThat(nsqd.info().command())
        .as("process %s from %s", pid, pidFile)
        .hasValueSatisfying(c -> assertThat(c).endsWith("nsqd"));
    nsqd.destroy();
    try {
      nsqd.onExit().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      fail("nsqd " + pid + " did not exit within 30 s of SIGTERM", e);
    }
    run(List.of("bash", brokersScript().toString(), "start", "nsq"), Duration.ofSeconds(120));
  }

  private static void run(List<String> command, Duration timeout)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("lanes-nsq-", ".log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.deleteIfExists(log);
    if (!done) {
      p.destroyForcibly();
      fail(command + " did not finish within " + timeout + ":\n" + output);
    }
    assertThat(p.exitValue()).as("%s exit code; output:%n%s", command, output).isZero();
  }

  /** A second nsqd on free ports, registered with the shared nsqlookupd; close it to stop it. */
  static final class ExtraNsqd implements AutoCloseable {
    final String tcp;
    final String http;
    private final Process process;
    private final Path dataDir;

    ExtraNsqd() throws IOException {
      this(List.of("-lookupd-tcp-address", "127.0.0.1:4160"));
    }

    /**
     * An nsqd with {@code extraArgs} added (TLS, AUTH, lookupd registration); ready once its TCP
     * port accepts connections (its plain HTTP port may refuse requests when TLS is required).
     */
    ExtraNsqd(List<String> extraArgs) throws IOException {
      Path binary = brokersHome().resolve("bin").resolve("nsqd");
      if (!Files.isExecutable(binary)) {
        fail("no nsqd binary at " + binary + "; build it with scripts/brokers.sh start nsq");
      }
      tcp = "127.0.0.1:" + freePort();
      http = "127.0.0.1:" + freePort();
      dataDir = Files.createTempDirectory("lanes-nsqd-");
      // its own node id, so its message ids never collide with the shared nsqd's
      String nodeId = Integer.toString(ThreadLocalRandom.current().nextInt(100, 1000));
      List<String> command = new ArrayList<>();
      command.addAll(
          List.of(
              binary.toString(),
              "-data-path",
              dataDir.toString(),
              "-tcp-address",
              tcp,
              "-http-address",
              http,
              "-broadcast-address",
              "127.0.0.1",
              "-node-id",
              nodeId));
      command.addAll(extraArgs);
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(dataDir.resolve("nsqd.log").toFile())
              .start();
      await()
          .atMost(Duration.ofSeconds(20))
          .failFast(
              "nsqd exited; its log: " + dataDir.resolve("nsqd.log"), () -> !process.isAlive())
          .until(() -> accepts(tcp));
    }

    /** A free loopback {@code host:port}, for listeners such as {@code -https-address}. */
    static String freeAddress() throws IOException {
      return "127.0.0.1:" + freePort();
    }

    private static boolean accepts(String address) {
      int colon = address.lastIndexOf(':');
      try (Socket s = new Socket()) {
        s.connect(
            new InetSocketAddress(
                address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
            1000);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    /** SIGTERM, as an operator taking the node out would. */
    @Override
    public void close() throws IOException, InterruptedException {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      try (var files = Files.walk(dataDir)) {
        files.sorted((a, b) -> b.compareTo(a)).forEach(f -> f.toFile().delete());
      }
    }

    private static int freePort() throws IOException {
      try (ServerSocket s = new ServerSocket(0)) {
        return s.getLocalPort();
      }
    }
  }
}
