package dev.lanes.transport.nsq;

/**
 * One subscriber connection to nsqd, as the transport knows it: the messages that came on it, and
 * whether it is still open (a message of a closed connection can no longer be finished or touched:
 * nsqd takes it back). Thread-safe.
 */
final class NsqConnection {

  private final String host;
  private volatile boolean open = true;
  private volatile boolean delivered;

  NsqConnection(String host) {
    this.host = host;
  }

  /** The nsqd TCP address ({@code host:port}). */
  String host() {
    return host;
  }

  boolean isOpen() {
    return open;
  }

  /** Whether a message came on it, which proves it was subscribed. */
  boolean hasDelivered() {
    return delivered;
  }

  void delivering() {
    if (!delivered) {
      delivered = true;
    }
  }

  void closed() {
    open = false;
  }

  @Override
  public String toString() {
    return "nsqd " + host + (open ? "" : " (closed)");
  }
}
