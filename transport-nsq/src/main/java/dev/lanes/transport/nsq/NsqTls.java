package dev.lanes.transport.nsq;

import com.sproutsocial.nsq.Client;
import com.sproutsocial.nsq.Config;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The {@code nsq.tls} block: whether connections to nsqd are upgraded to TLS (IDENTIFY {@code
 * tls_v1}) and how nsqd's certificate is verified. The same trust applies to nsqd's HTTPS address
 * ({@code nsqdHttp}). Immutable.
 *
 * @param enabled whether Lanes asks nsqd for TLS; nsqd without a certificate then stays plain
 * @param caFile PEM file of the certificates that sign nsqd's certificate; {@code null}: the JVM's
 *     trust store
 * @param insecureSkipVerify whether nsqd's certificate and host name are not verified at all (for
 *     tests only: anyone between Lanes and nsqd can then read and change the traffic)
 * @param context the SSL context built from {@code caFile} or {@code insecureSkipVerify}; {@code
 *     null} when TLS is off
 */
public record NsqTls(boolean enabled, Path caFile, boolean insecureSkipVerify, SSLContext context) {

  /** TLS off. */
  static final NsqTls DISABLED = new NsqTls(false, null, false, null);

  /**
   * TLS on, trusting the certificates in {@code caFile} (or the JVM's trust store when {@code
   * null}), or any certificate when {@code insecureSkipVerify}.
   *
   * @throws IOException when {@code caFile} cannot be read
   * @throws GeneralSecurityException when it holds no usable certificate
   */
  static NsqTls enabled(Path caFile, boolean insecureSkipVerify)
      throws IOException, GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    TrustManager[] trust;
    if (insecureSkipVerify) {
      trust = new TrustManager[] {new TrustAll()};
    } else {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(caFile == null ? null : trustStore(caFile));
      trust = factory.getTrustManagers();
    }
    context.init(null, trust, null);
    return new NsqTls(true, caFile, insecureSkipVerify, context);
  }

  private static KeyStore trustStore(Path caFile) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(caFile)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    if (certificates.isEmpty()) {
      throw new GeneralSecurityException("no PEM certificate in " + caFile);
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (Certificate certificate : certificates) {
      store.setCertificateEntry("ca-" + i++, certificate);
    }
    return store;
  }

  /** Asks for TLS in {@code config}'s IDENTIFY and gives {@code client} the socket factory. */
  void applyTo(Client client, Config config) {
    if (enabled) {
      config.setTlsV1(true);
      client.setSSLSocketFactory(new VerifyingSocketFactory(context, !insecureSkipVerify));
    }
  }

  /** The scheme of nsqd's HTTP API: {@code https} when TLS is on. */
  String httpScheme() {
    return enabled ? "https" : "http";
  }

  /** Sets the trust of an HTTPS connection to nsqd; plain connections are left alone. */
  void applyTo(HttpURLConnection http) {
    if (enabled && http instanceof HttpsURLConnection https) {
      https.setSSLSocketFactory(context.getSocketFactory());
      if (insecureSkipVerify) {
        https.setHostnameVerifier((host, session) -> true);
      }
    }
  }

  /** {@code insecureSkipVerify}: accepts every certificate. */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
