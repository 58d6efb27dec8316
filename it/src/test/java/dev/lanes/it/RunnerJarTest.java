package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The runner jar alone carries every transport with its broker client: a test-scoped client in the
 * runner's pom once shadowed the transitive one and left Kafka's out of the jar, so every runner
 * command failed while the modules' own tests passed.
 */
class RunnerJarTest {

  @Test
  void loadsEveryTransportFromTheJarAlone() throws Exception {
    URL jar = RunnerProcess.JAR.toUri().toURL();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {jar}, ClassLoader.getPlatformClassLoader())) {
      Class<?> transport = loader.loadClass("dev.lanes.spi.Transport");
      Set<String> names = new TreeSet<>();
      for (Object provider : ServiceLoader.load(transport, loader)) {
        names.add((String) transport.getMethod("name").invoke(provider));
      }
      assertThat(names).contains("amqp", "kafka", "local", "nsq");
      for (String client :
          new String[] {
            "org.apache.kafka.clients.consumer.KafkaConsumer",
            "com.rabbitmq.client.ConnectionFactory",
            "com.sproutsocial.nsq.Subscriber",
            "org.sqlite.JDBC"
          }) {
        assertThat(Class.forName(client, false, loader).getClassLoader()).isSameAs(loader);
      }
    }
  }
}
