package dev.lanes.transport.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.DefaultExceptionHandler;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportContext;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the task's connections: automatic recovery on (the client reconnects and reopens channels
 * every {@code recoveryInterval}), topology recovery off (the source re-declares and re-subscribes
 * itself, so it knows when a channel and its delivery tags changed). Every thread the client starts
 * comes from the task's {@link TransportContext#threads}, named {@code lanes-<task>-amqp-io},
 * {@code lanes-<task>-amqp-io-2}...
 */
final class Connections {

  private static final Logger log = LoggerFactory.getLogger(Connections.class);

  private Connections() {}

  static ConnectionFactory factory(TransportContext context, AmqpSettings settings) {
    String task = context.task().name();
    ConnectionFactory factory = new ConnectionFactory();
    try {
      if ("amqps".equalsIgnoreCase(settings.uri().getScheme())) {
        // before setUri, which would otherwise install a trust-everything context
        factory.useSslProtocol(SSLContext.getDefault());
        factory.enableHostnameVerification();
      }
      factory.setUri(settings.uri());
    } catch (NoSuchAlgorithmException e) {
      throw context
          .task()
          .failed(
              "amqp.uri",
              "no default TLS context in this JVM for "
                  + settings.maskedUri()
                  + ": "
                  + e.getMessage(),
              e);
    } catch (GeneralSecurityException | IllegalArgumentException | java.net.URISyntaxException e) {
      throw context.task().invalid("amqp.uri", "a valid AMQP URI, got " + settings.maskedUri(), e);
    }
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(false);
    factory.setNetworkRecoveryInterval(settings.recoveryInterval().toMillis());
    factory.setRequestedHeartbeat((int) settings.heartbeat().getSeconds());
    factory.setConnectionTimeout(Math.toIntExact(settings.connectionTimeout().toMillis()));
    factory.setHandshakeTimeout(Math.toIntExact(settings.connectionTimeout().toMillis()));
    factory.setChannelRpcTimeout(Math.toIntExact(settings.connectionTimeout().toMillis()));
    factory.setThreadFactory(keepingNames(context.threads("amqp-io", true)));
    factory.setExceptionHandler(
        new DefaultExceptionHandler() {
          @Override
          public void handleUnexpectedConnectionDriverException(Connection conn, Throwable e) {
            // the channel keepers log the loss once, with what it means for deliveries
            log.info(
                "task {}: connection {} failed: {}",
                task,
                conn.getClientProvidedName(),
                e.toString());
          }
        });
    return factory;
  }

  /**
   * Opens one connection named {@code lanes-<task>-amqp-<role>} (the name RabbitMQ shows).
   *
   * @param consumerThreads runs consumer and confirm callbacks; {@code null} for the client's own
   * @throws ReadyFailedException when the broker cannot be reached or refuses the login
   */
  static Connection open(
      ConnectionFactory factory,
      TaskConfig task,
      AmqpSettings settings,
      String role,
      ExecutorService consumerThreads) {
    String name = "lanes-" + task.name() + "-amqp-" + role;
    try {
      return consumerThreads == null
          ? factory.newConnection(name)
          : factory.newConnection(consumerThreads, name);
    } catch (IOException | TimeoutException e) {
      String cause =
          e.getCause() != null && e.getMessage() == null ? e.getCause().toString() : e.toString();
      throw task.failed(
          "amqp.uri",
          "cannot connect to "
              + settings.maskedUri()
              + " ("
              + cause
              + "); is RabbitMQ running there and are the credentials right?",
          e);
    }
  }

  /**
   * The threads of {@code named}, which set their name again when they start: the client renames
   * the threads it gets from a factory ({@code AMQP Connection 127.0.0.1:5672}).
   */
  private static ThreadFactory keepingNames(ThreadFactory named) {
    return runnable -> {
      AtomicReference<String> name = new AtomicReference<>();
      Thread thread =
          named.newThread(
              () -> {
                Thread.currentThread().setName(name.get());
                runnable.run();
              });
      name.set(thread.getName());
      return thread;
    };
  }
}
