package dev.lanes.bench;

import dev.lanes.api.Outcome;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.TaskConfig;
import dev.lanes.transport.kafka.KafkaTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;

/** Lanes on the Kafka transport, {@code deliverBy = key}, in the routing mode under test. */
final class LanesRun implements SlowHandlerWorkload.Consumer {

  private final TaskRuntime runtime;

  LanesRun(
      SlowHandlerWorkload.Settings settings,
      String topic,
      String group,
      String routing,
      Tally tally) {
    TaskConfig task =
        TaskConfigLoader.forTask(
            "bench_" + routing,
            Map.of(
                "transport",
                "kafka",
                "kafka.bootstrap",
                settings.bootstrap(),
                "kafka.topic",
                topic,
                "kafka.group",
                group,
                "kafka.connectTimeout",
                "30s",
                "consumerNum",
                settings.workers(),
                "deliverBy",
                "key",
                "routing",
                routing));
    runtime =
        TaskRuntime.create(
            task,
            new KafkaTransport(),
            message -> {
              SlowHandlerWorkload.handle(tally, message.payloadAsString(), settings.sleepMs());
              return Outcome.ack();
            },
            new SimpleMeterRegistry());
    runtime.start();
  }

  @Override
  public void close() {
    runtime.stop();
  }
}
