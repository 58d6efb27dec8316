package dev.lanes.bench;

import com.sproutsocial.nsq.Client;
import com.sproutsocial.nsq.Subscriber;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The NSQ baseline: an nsq-j {@link Subscriber} found through nsqlookupd, RDY {@code maxInFlight},
 * its handler run on {@code threads} threads (as many as Lanes has lanes), {@code FIN} per message;
 * FINs are flushed as Lanes' source flushes them (nsq-j batches them, at the latest after 200 ms).
 */
final class RawNsqConsumer implements AutoCloseable {

  private static final int LOOKUP_INTERVAL_SECS = 15;
  private static final int MAX_FLUSH_DELAY_MILLIS = 200;

  private final Client client = new Client();
  private final ExecutorService handlers;

  RawNsqConsumer(
      String lookupd,
      String topic,
      String channel,
      int maxInFlight,
      int threads,
      DrainTally tally) {
    AtomicInteger n = new AtomicInteger();
    handlers =
        Executors.newFixedThreadPool(
            threads, r -> new Thread(r, "bench-raw-nsq-handler-" + n.incrementAndGet()));
    client.setExecutor(handlers);
    Subscriber subscriber = new Subscriber(client, LOOKUP_INTERVAL_SECS, 5, lookupd);
    subscriber.setMaxFlushDelayMillis(MAX_FLUSH_DELAY_MILLIS);
    subscriber.subscribe(
        topic,
        channel,
        maxInFlight,
        message -> {
          tally.handled(message.getData());
          message.finish();
        });
    if (subscriber.getConnectionCount() == 0) {
      close();
      throw new IllegalStateException(
          "nsq-j found no nsqd for topic " + topic + " through nsqlookupd " + lookupd);
    }
  }

  @Override
  public void close() {
    client.stop(1_000);
    handlers.shutdownNow();
  }
}
