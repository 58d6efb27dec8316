package dev.lanes.runner.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service side of the control socket: a Unix domain socket, owner-only (the file is mode 0600
 * in a run directory of mode 0700), answering one command per connection. The protocol is text: the
 * client sends one line ({@code status}, {@code update} or {@code stop}); the service answers
 * {@code ok} or {@code error} on the first line, then human-readable lines, and closes. {@code
 * stop} answers once the graceful stop is over.
 */
public final class ControlServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
  private static final int MAX_COMMAND = 256;

  /** What the commands do; each is called on a connection's own thread. */
  public interface Commands {
    Reply status();

    Reply update();

    Reply stop();
  }

  /** An answer: {@code ok} or not, and its text. */
  public record Reply(boolean ok, String text) {}

  private final Path socket;
  private final ServerSocketChannel channel;
  private final Commands commands;
  private final ExecutorService connections;
  private final Thread acceptor;

  private ControlServer(Path socket, ServerSocketChannel channel, Commands commands, String task) {
    this.socket = socket;
    this.channel = channel;
    this.commands = commands;
    AtomicInteger n = new AtomicInteger();
    this.connections =
        Executors.newCachedThreadPool(
            r -> new Thread(r, "lanes-" + task + "-control-" + n.incrementAndGet()));
    this.acceptor = new Thread(this::acceptLoop, "lanes-" + task + "-control");
  }

  /**
   * Binds the socket (replacing a stale file the caller found no live service behind) and starts
   * answering.
   */
  public static ControlServer bind(Path socket, String task, Commands commands) throws IOException {
    Files.deleteIfExists(socket);
    ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.bind(UnixDomainSocketAddress.of(socket));
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw new IOException(
          "cannot bind the control socket "
              + socket
              + " ("
              + e.getMessage()
              + "); a path over 107 bytes is too long for a socket: use a shorter --run-dir",
          e);
    }
    ControlServer server = new ControlServer(socket, channel, commands, task);
    server.acceptor.start();
    return server;
  }

  private void acceptLoop() {
    while (channel.isOpen()) {
      try {
        SocketChannel connection = channel.accept();
        connections.execute(() -> answer(connection));
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        log.warn("control socket: accept failed: {}", e.toString());
      } catch (RejectedExecutionException e) {
        return; // closing
      }
    }
  }

  private void answer(SocketChannel connection) {
    try (connection;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(Channels.newInputStream(connection), StandardCharsets.UTF_8),
                MAX_COMMAND);
        Writer out =
            new OutputStreamWriter(Channels.newOutputStream(connection), StandardCharsets.UTF_8)) {
      String command = in.readLine();
      Reply reply = dispatch(command == null ? "" : command.trim());
      out.write((reply.ok() ? "ok" : "error") + "\n" + reply.text());
      if (!reply.text().endsWith("\n")) {
        out.write("\n");
      }
      out.flush();
    } catch (IOException e) {
      log.warn("control socket: a client went away: {}", e.toString());
    } catch (RuntimeException e) {
      log.error("control socket: command failed: {}", e.toString(), e);
    }
  }

  private Reply dispatch(String command) {
    if (command.equals("status")) {
      log.debug("control: status");
    } else {
      log.info("control: {}", command);
    }
    return switch (command) {
      case "status" -> commands.status();
      case "update" -> commands.update();
      case "stop" -> commands.stop();
      default ->
          new Reply(false, "unknown command '" + command + "'; expected status, update or stop");
    };
  }

  /** Stops accepting, lets answers under way finish (up to 30 s), and deletes the socket file. */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("control socket: close: {}", e.toString());
    }
    connections.shutdown();
    try {
      if (!connections.awaitTermination(30, TimeUnit.SECONDS)) {
        connections.shutdownNow();
      }
      acceptor.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        Files.deleteIfExists(socket);
      } catch (IOException e) {
        log.warn("control socket: could not delete {}: {}", socket, e.toString());
      }
    }
  }
}
