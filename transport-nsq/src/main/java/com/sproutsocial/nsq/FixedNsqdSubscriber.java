package com.sproutsocial.nsq;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An nsq-j {@link Subscriber} on a fixed list of nsqd TCP addresses, on the {@link Client} it is
 * given. Part of Lanes' NSQ transport, not of nsq-j.
 *
 * <p>Why it exists, and why in nsq-j's package: nsq-j 1.2's own {@link DirectSubscriber} always
 * runs on the JVM-wide {@link Client#getDefaultClient()} (its constructor takes no client), whose
 * handler pool of six threads would reorder messages and whose {@code stop()} would stop every
 * other NSQ user in the process. The extension point, {@link Subscriber#lookupTopic}, returns
 * nsq-j's package-private {@code HostAndPort}, so an override must live in this package. It needs
 * nsq-j on the same class loader (the class path, a shaded jar) and no JPMS module.
 *
 * <p>Like every nsq-j subscriber it re-checks its list every lookup interval and reconnects to the
 * nodes it lost.
 */
public class FixedNsqdSubscriber extends Subscriber {

  private final Set<HostAndPort> nsqds;

  /**
   * @param client the client whose executors and connections this subscriber uses
   * @param lookupIntervalSecs how often lost connections are re-established, in seconds
   * @param nsqds nsqd TCP addresses ({@code host:port})
   */
  public FixedNsqdSubscriber(Client client, int lookupIntervalSecs, List<String> nsqds) {
    super(client, lookupIntervalSecs, 1);
    Set<HostAndPort> hosts = new LinkedHashSet<>();
    for (String nsqd : nsqds) {
      hosts.add(HostAndPort.fromString(nsqd).withDefaultPort(4150));
    }
    this.nsqds = Collections.unmodifiableSet(hosts);
  }

  @Override
  protected Set<HostAndPort> lookupTopic(String topic) {
    return nsqds;
  }
}
