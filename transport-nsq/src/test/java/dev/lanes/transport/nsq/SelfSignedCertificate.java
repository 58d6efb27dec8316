package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate and its key, as PEM files made by {@code openssl} at test time; the
 * certificate is also the CA that trusts it.
 */
record SelfSignedCertificate(Path cert, Path key) {

  /** A certificate for 127.0.0.1 (subject alternative name IP:127.0.0.1). */
  static SelfSignedCertificate create(Path dir) throws IOException, InterruptedException {
    return create(dir, "IP:127.0.0.1");
  }

  /** A certificate for {@code subjectAltName}, such as {@code DNS:nsqd.example}. */
  static SelfSignedCertificate create(Path dir, String subjectAltName)
      throws IOException, InterruptedException {
    Path cert = dir.resolve("nsqd-cert.pem");
    Path key = dir.resolve("nsqd-key.pem");
    Path log = dir.resolve("openssl.log");
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=lanes-test-nsqd",
                "-addext",
                "subjectAltName=" + subjectAltName,
                "-keyout",
                key.toString(),
                "-out",
                cert.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).as("openssl finished").isTrue();
    assertThat(openssl.exitValue())
        .as("openssl exit code; output: %s", Files.readString(log, StandardCharsets.UTF_8))
        .isZero();
    return new SelfSignedCertificate(cert, key);
  }
}
