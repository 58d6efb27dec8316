package dev.lanes.transport.nsq;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The socket factory nsq-j upgrades its nsqd connections with (after IDENTIFY), verifying nsqd's
 * host name as HTTPS does. nsq-j passes the peer's IP address as the host; this factory uses the
 * name the connection was opened with instead (the host of {@code nsq.nsqd}, {@code nsq.publishTo}
 * or nsqlookupd's {@code broadcast_address}), so a certificate for a DNS name verifies.
 * Thread-safe.
 */
final class VerifyingSocketFactory extends SSLSocketFactory {

  private final SSLSocketFactory delegate;
  private final boolean verifyHost;

  VerifyingSocketFactory(SSLContext context, boolean verifyHost) {
    this.delegate = context.getSocketFactory();
    this.verifyHost = verifyHost;
  }

  @Override
  public Socket createSocket(Socket plain, String host, int port, boolean autoClose)
      throws IOException {
    String name =
        plain.getRemoteSocketAddress() instanceof InetSocketAddress remote
            ? remote.getHostString() // the name or literal it was opened with; no reverse lookup
            : host;
    return verified(delegate.createSocket(plain, name, port, autoClose));
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return verified(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress local, int localPort)
      throws IOException {
    return verified(delegate.createSocket(host, port, local, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return verified(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
      throws IOException {
    return verified(delegate.createSocket(host, port, local, localPort));
  }

  private Socket verified(Socket socket) {
    if (verifyHost && socket instanceof SSLSocket ssl) {
      SSLParameters parameters = ssl.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      ssl.setSSLParameters(parameters);
    }
    return socket;
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return delegate.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }
}
