package dev.lanes.it;

import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The brokers of a test class's own, for the faults the shared brokers may not suffer (a restart, a
 * cut of Kafka's connections): each started on first use and shared by the class's tests, since a
 * start takes 5 to 15 s; all killed, and their files deleted, after the class. Register it as a
 * static {@code @RegisterExtension} field; each test uses destinations of its own on them.
 */
final class OwnBrokers implements AfterAllCallback {

  private Path dir;
  private OwnRabbit rabbit;
  private OwnKafka kafka;
  private OwnNsqd nsqd;

  /** The class's broker of {@code transport} (amqp, kafka or nsq), started on first use. */
  OwnBroker broker(String transport) throws Exception {
    return switch (transport) {
      case "amqp" -> rabbit();
      case "kafka" -> kafka();
      case "nsq" -> nsqd();
      default -> throw new IllegalArgumentException("no broker of the test's own for " + transport);
    };
  }

  /** A target on the class's broker of {@code transport}, filled through {@code dir}. */
  BrokerTarget target(String transport, Path dir) throws Exception {
    return switch (transport) {
      case "amqp" -> BrokerTargets.Amqp.on(rabbit(), dir);
      case "kafka" -> BrokerTargets.Kafka.on(kafka(), dir);
      case "nsq" -> BrokerTargets.Nsq.direct(nsqd());
      default -> throw new IllegalArgumentException("no broker of the test's own for " + transport);
    };
  }

  /** The class's RabbitMQ node, started on first use. */
  synchronized OwnRabbit rabbit() throws IOException {
    if (rabbit == null) {
      rabbit = OwnRabbit.start(dir());
    }
    return rabbit;
  }

  /**
   * The class's Kafka broker behind its proxy, started on first use; its link healed, whatever an
   * earlier test left.
   */
  synchronized OwnKafka kafka() throws Exception {
    if (kafka == null) {
      kafka = OwnKafka.start(dir(), new ToxiproxyClient("127.0.0.1", 8474));
    }
    kafka.heal();
    return kafka;
  }

  /** The class's nsqd, started on first use. */
  synchronized OwnNsqd nsqd() throws IOException {
    if (nsqd == null) {
      nsqd = OwnNsqd.start(dir());
    }
    return nsqd;
  }

  private Path dir() throws IOException {
    if (dir == null) {
      dir = Files.createTempDirectory("lanes-own-brokers");
    }
    return dir;
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) throws IOException {
    if (rabbit != null) {
      rabbit.close();
      rabbit = null;
    }
    if (kafka != null) {
      kafka.close();
      kafka = null;
    }
    if (nsqd != null) {
      nsqd.close();
      nsqd = null;
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
      dir = null;
    }
  }
}
