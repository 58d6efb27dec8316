package dev.lanes.runner.control;

import dev.lanes.runner.control.ControlServer.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The client side of the control socket: one command, one reply. */
public final class ControlClient {

  /** Nothing answers on the socket: no file, or a file no process listens on (stale). */
  public static final class NoServiceException extends IOException {
    private static final long serialVersionUID = 1L;
    private final boolean stale;

    NoServiceException(String message, boolean stale) {
      super(message);
      this.stale = stale;
    }

    /** The socket file exists but nobody listens on it. */
    public boolean stale() {
      return stale;
    }
  }

  private ControlClient() {}

  /**
   * Sends {@code command} and waits for the whole reply (for {@code stop}: until the graceful stop
   * is over).
   *
   * @throws NoServiceException when no service listens on {@code socket}
   * @throws IOException when the service went away mid-answer
   */
  public static Reply send(Path socket, String command) throws IOException {
    if (!Files.exists(socket)) {
      throw new NoServiceException("no control socket " + socket, false);
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      try {
        channel.connect(UnixDomainSocketAddress.of(socket));
      } catch (ConnectException e) {
        throw new NoServiceException(
            "nothing listens on the control socket " + socket + " (stale)", true);
      }
      channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
      channel.shutdownOutput();
      InputStream in = Channels.newInputStream(channel);
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int newline = text.indexOf('\n');
      if (newline < 0) {
        throw new IOException(
            "the service closed the control socket without answering '" + command + "'");
      }
      String status = text.substring(0, newline);
      return new Reply(status.equals("ok"), text.substring(newline + 1));
    }
  }
}
