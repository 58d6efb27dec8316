package dev.lanes.transport.local;

import static dev.lanes.transport.local.LocalTestSupport.message;
import static dev.lanes.transport.local.LocalTestSupport.queue;
import static dev.lanes.transport.local.LocalTestSupport.rows;
import static dev.lanes.transport.local.LocalTestSupport.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The local source on a disk that is really full: a small tmpfs mounted as root (the test fails,
 * never skips, when it cannot be mounted), filled while the lanes still hold deliveries.
 */
class LocalSourceFullDiskTest {

  private static final int MESSAGES = 100;

  @TempDir Path dir;

  /**
   * Every ack wakes the poll thread; while the store fails, that must not turn its backoff into a
   * retry (and an ERROR record with a stack trace) per settlement. Once space is freed the queued
   * acks are applied.
   */
  @Test
  void aFailingStoreIsRetriedWithBackoffWhileSettlementsArrive() throws Exception {
    Path dataDir = Files.createDirectories(dir.resolve("data"));
    mount(dataDir);
    ListAppender<ILoggingEvent> records = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(LocalSource.class);
    try {
      String q = queue("fulldisk");
      TaskConfig task = task(dataDir, q);
      List<Message> messages = new ArrayList<>();
      for (int i = 0; i < MESSAGES; i++) {
        messages.add(message("k" + i, "{\"n\":" + i + "}"));
      }
      LocalTransport transport = new LocalTransport();
      try (LocalPublisher publisher = transport.openPublisher(task);
          Source source = transport.openSource(task)) {
        publisher.publishBatch(messages);
        LocalTestSupport.Collector collector = new LocalTestSupport.Collector();
        source.start(collector::accept);
        List<Delivery> held = collector.take(MESSAGES, 10);

        Path filler = fill(dataDir);
        records.start();
        logger.addAppender(records);
        for (Delivery d : held) {
          d.acknowledger().ack();
          TimeUnit.MILLISECONDS.sleep(10); // acks spread over a second, as lanes finish work
        }
        long failures = failures(records);
        assertThat(failures)
            .as("store failures logged while %d acks arrived in a second", MESSAGES)
            .isBetween(1L, 3L);

        Files.delete(filler);
        await().atMost(Duration.ofSeconds(15)).until(() -> rows(dataDir, q) == 0);
      }
    } finally {
      logger.detachAppender(records);
      unmount(dataDir);
    }
  }

  private static long failures(ListAppender<ILoggingEvent> records) {
    return records.list.stream()
        .filter(e -> e.getFormattedMessage().contains("failed (attempt"))
        .count();
  }

  private static Path fill(Path dir) throws IOException {
    Path filler = dir.resolve("filler");
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(chunk);
      }
    } catch (IOException full) {
      // no space left: what we wanted
    }
    assertThat(Files.getFileStore(dir).getUsableSpace()).as("free bytes after filling").isZero();
    return filler;
  }

  private static void mount(Path dir) throws Exception {
    run(
        "this test needs a real small file system: it must run as root (or with CAP_SYS_ADMIN)",
        "mount",
        "-t",
        "tmpfs",
        "-o",
        "size=4m",
        "tmpfs",
        dir.toString());
  }

  private static void unmount(Path dir) throws Exception {
    run("cannot unmount the test's tmpfs", "umount", dir.toString());
  }

  private static void run(String why, String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(
          "`" + String.join(" ", command) + "` failed (" + why + "): " + output);
    }
  }
}
