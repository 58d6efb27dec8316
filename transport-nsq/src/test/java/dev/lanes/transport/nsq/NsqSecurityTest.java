package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.RecordingSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * TLS and AUTH against nsqd processes of the test's own, on free ports: one that requires TLS
 * (self-signed certificate made by openssl) and one that asks an auth server (a JDK HttpServer
 * speaking nsqd's {@code /auth} contract). Messages flow with the right settings; the wrong ones
 * fail the start with a ReadyFailed that says what to set, and the secret is in no error or log.
 */
@Tag("broker")
class NsqSecurityTest {

  private static final String SECRET = "nsq-s3cr3t-QWERTY";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final NsqTransport transport = new NsqTransport();
  private final List<AutoCloseable> open = new ArrayList<>();
  private final ListAppender<ILoggingEvent> records = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);

  private Level rootLevel;

  /** Every record from DEBUG up (the test config's root is at WARN), nsq-j's included. */
  @BeforeEach
  void captureLogs() {
    rootLevel = root.getLevel();
    root.setLevel(Level.DEBUG);
    records.start();
    root.addAppender(records);
  }

  @AfterEach
  void closeAll() throws Exception {
    root.detachAppender(records);
    root.setLevel(rootLevel);
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private <T extends AutoCloseable> T opened(T closeable) {
    open.add(closeable);
    return closeable;
  }

  private NsqProcesses.ExtraNsqd tlsRequiredNsqd(SelfSignedCertificate cert, String https)
      throws Exception {
    return opened(
        new NsqProcesses.ExtraNsqd(
            List.of(
                "-tls-cert",
                cert.cert().toString(),
                "-tls-key",
                cert.key().toString(),
                "-tls-required=true", // a bool flag: "-tls-required true" would end nsqd's flags
                "-tls-min-version",
                "tls1.2",
                "-https-address",
                https)));
  }

  private static TaskConfig task(String name, NsqProcesses.ExtraNsqd nsqd, Map<String, ?> more) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("nsq.nsqd", List.of(nsqd.tcp));
    settings.put("nsq.publishTo", nsqd.tcp);
    settings.putAll(more);
    return NsqTestBed.task(name, name + "_topic", settings);
  }

  /**
   * Publishes three messages through Lanes, consumes them through Lanes, acks them; returns the
   * running source.
   */
  private Source publishAndConsume(TaskConfig task) throws Exception {
    List<String> sent = List.of("one", "two", "three");
    try (Publisher publisher = transport.openPublisher(task)) {
      for (String payload : sent) {
        publisher.publish(NsqTestBed.message(payload));
      }
    }
    Source source = opened(transport.openSource(task));
    RecordingSink sink = new RecordingSink();
    source.start(sink);
    List<String> received = new ArrayList<>();
    for (Delivery d : sink.next(sent.size(), WAIT)) {
      received.add(new String(d.message().payload(), StandardCharsets.UTF_8));
      d.acknowledger().ack();
    }
    assertThat(received).containsExactlyElementsOf(sent);
    return source;
  }

  @Test
  void messagesFlowOverTlsToAnNsqdThatRequiresIt() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
    String https = NsqProcesses.ExtraNsqd.freeAddress();
    NsqProcesses.ExtraNsqd nsqd = tlsRequiredNsqd(cert, https);
    TaskConfig task =
        task(
            "tls_flow",
            nsqd,
            Map.of(
                "nsq.tls.enabled", true,
                "nsq.tls.caFile", cert.cert().toString(),
                "nsq.nsqdHttp", List.of(https)));

    Source source = publishAndConsume(task);

    // the backlog is read from nsqd's HTTPS address, verified with the same CA
    await().atMost(WAIT).until(() -> source.backlog().equals(OptionalLong.of(0)));
  }

  @Test
  void messagesFlowOverTlsToAnNsqdFoundThroughNsqlookupd() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
    NsqProcesses.ExtraNsqd nsqd =
        opened(
            new NsqProcesses.ExtraNsqd(
                List.of(
                    "-tls-cert",
                    cert.cert().toString(),
                    "-tls-key",
                    cert.key().toString(),
                    "-tls-required=true",
                    "-lookupd-tcp-address",
                    "127.0.0.1:4160")));
    String name = "tls_lookupd_" + Long.toHexString(System.nanoTime());
    Map<String, Object> settings = new HashMap<>();
    settings.put("nsq.publishTo", nsqd.tcp);
    settings.put("nsq.tls.enabled", true);
    settings.put("nsq.tls.caFile", cert.cert().toString());
    TaskConfig task = NsqTestBed.task(name, name + "_topic", settings);

    Source source = publishAndConsume(task);

    assertThat(source.backlog())
        .as("nsqlookupd announces the plain HTTP port, which a TLS-required nsqd refuses")
        .isEmpty();
  }

  @Test
  void tlsOffAgainstAnNsqdThatRequiresItFailsTheStartNamingTheKey() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
    NsqProcesses.ExtraNsqd nsqd = tlsRequiredNsqd(cert, NsqProcesses.ExtraNsqd.freeAddress());
    Source source = opened(transport.openSource(task("tls_off", nsqd, Map.of())));

    assertThatThrownBy(() -> source.start(new RecordingSink()))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 'tls_off'")
        .hasMessageContaining("nsq.tls.enabled is false");
  }

  @Test
  void anNsqdCertificateThatIsNotTrustedFailsTheStart() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
    NsqProcesses.ExtraNsqd nsqd = tlsRequiredNsqd(cert, NsqProcesses.ExtraNsqd.freeAddress());
    // no caFile: the JVM's trust store, which does not know this self-signed certificate
    Source source =
        opened(transport.openSource(task("tls_untrusted", nsqd, Map.of("nsq.tls.enabled", true))));

    assertThatThrownBy(() -> source.start(new RecordingSink()))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 'tls_untrusted'")
        .hasMessageContaining("nsq.tls.caFile");
  }

  @Test
  void aTrustedCertificateForAnotherHostFailsTheStart() throws Exception {
    // signed by the trusted CA (itself), but issued for a name that is not the host connected to
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir, "DNS:nsqd.example");
    NsqProcesses.ExtraNsqd nsqd = tlsRequiredNsqd(cert, NsqProcesses.ExtraNsqd.freeAddress());
    Source source =
        opened(
            transport.openSource(
                task(
                    "tls_other_host",
                    nsqd,
                    Map.of("nsq.tls.enabled", true, "nsq.tls.caFile", cert.cert().toString()))));

    assertThatThrownBy(() -> source.start(new RecordingSink()))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 'tls_other_host'")
        .hasMessageContaining("issued for the host connected to");
  }

  @Test
  void insecureSkipVerifyAcceptsAnyCertificate() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir, "DNS:nsqd.example");
    NsqProcesses.ExtraNsqd nsqd = tlsRequiredNsqd(cert, NsqProcesses.ExtraNsqd.freeAddress());

    publishAndConsume(
        task(
            "tls_insecure",
            nsqd,
            Map.of("nsq.tls.enabled", true, "nsq.tls.insecureSkipVerify", true)));
  }

  @Test
  void messagesFlowWithTheRightAuthSecretAndItIsLoggedNowhere() throws Exception {
    AuthServer auth = opened(new AuthServer(SECRET));
    NsqProcesses.ExtraNsqd nsqd =
        opened(new NsqProcesses.ExtraNsqd(List.of("-auth-http-address", auth.address())));

    publishAndConsume(task("auth_flow", nsqd, Map.of("nsq.authSecret", SECRET)));

    assertThat(auth.asked()).as("secrets nsqd checked").isNotEmpty().containsOnly(SECRET);
    assertNoSecretLogged();
    assertThat(records.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .as("the start line says a secret is set, without it")
        .anyMatch(line -> line.contains("consuming NSQ topic") && line.contains("auth secret ***"));
  }

  @Test
  void tlsAndAuthTogetherSendTheSecretOnlyOverTls() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
    AuthServer auth = opened(new AuthServer(SECRET));
    NsqProcesses.ExtraNsqd nsqd =
        opened(
            new NsqProcesses.ExtraNsqd(
                List.of(
                    "-tls-cert",
                    cert.cert().toString(),
                    "-tls-key",
                    cert.key().toString(),
                    "-tls-required=true",
                    "-auth-http-address",
                    auth.address())));

    publishAndConsume(
        task(
            "tls_auth",
            nsqd,
            Map.of(
                "nsq.tls.enabled",
                true,
                "nsq.tls.caFile",
                cert.cert().toString(),
                "nsq.authSecret",
                SECRET)));

    assertThat(auth.asked()).isNotEmpty().containsOnly(SECRET);
    assertThat(auth.tls()).as("nsqd's tls flag on each auth request").containsOnly("true");
    assertNoSecretLogged();
  }

  @Test
  void aWrongAuthSecretFailsTheStartAndThePublishWithoutShowingTheSecret() throws Exception {
    AuthServer auth = opened(new AuthServer("another-secret"));
    NsqProcesses.ExtraNsqd nsqd =
        opened(new NsqProcesses.ExtraNsqd(List.of("-auth-http-address", auth.address())));
    TaskConfig task = task("auth_wrong", nsqd, Map.of("nsq.authSecret", SECRET));
    Source source = opened(transport.openSource(task));

    Throwable startFailed = catchThrowable(() -> source.start(new RecordingSink()));
    assertThat(startFailed)
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 'auth_wrong'")
        .hasMessageContaining("nsq.authSecret");
    Throwable publishFailed;
    try (Publisher publisher = transport.openPublisher(task)) {
      publishFailed = catchThrowable(() -> publisher.publish(NsqTestBed.message("x")));
    }
    assertThat(publishFailed).isNotNull();

    assertThat(auth.asked()).as("secrets nsqd checked").isNotEmpty().containsOnly(SECRET);
    assertNoSecretIn(startFailed);
    assertNoSecretIn(publishFailed);
    assertNoSecretLogged();
  }

  @Test
  void noAuthSecretAgainstAnNsqdThatRequiresOneFailsTheStartNamingTheKey() throws Exception {
    AuthServer auth = opened(new AuthServer(SECRET));
    NsqProcesses.ExtraNsqd nsqd =
        opened(new NsqProcesses.ExtraNsqd(List.of("-auth-http-address", auth.address())));
    Source source = opened(transport.openSource(task("auth_none", nsqd, Map.of())));

    assertThatThrownBy(() -> source.start(new RecordingSink()))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 'auth_none'")
        .hasMessageContaining("nsq.authSecret is not set");
  }

  private static void assertNoSecretIn(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(String.valueOf(c)).doesNotContain(SECRET);
      for (Throwable s : c.getSuppressed()) {
        assertNoSecretIn(s);
      }
    }
  }

  private void assertNoSecretLogged() {
    assertThat(records.list).as("log records captured").isNotEmpty();
    for (ILoggingEvent e : records.list) {
      assertThat(e.getFormattedMessage()).doesNotContain(SECRET);
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        assertThat(t.getMessage() == null ? "" : t.getMessage()).doesNotContain(SECRET);
      }
    }
  }
}
