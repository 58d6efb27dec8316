package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak: for {@code lanes.soak.minutes} minutes, rounds of {@link FaultScenario} on a random
 * transport with a random fault (SIGKILL, connection cut, slow link, or none) while a producer that
 * is not Lanes keeps publishing the round's data set ({@link PacedProducer}), printing each round's
 * record and the totals of lost, duplicated and reordered messages. Not part of the build's tests
 * (it runs only when the property is set):
 *
 * <pre>
 * mvn -B verify -pl it -Dtest=FaultSoakTest -Dlanes.soak.minutes=10 [-Dlanes.soak.seed=42]
 * </pre>
 */
@Tag("broker")
@EnabledIfSystemProperty(named = "lanes.soak.minutes", matches = "\\d+")
class FaultSoakTest {

  private static final List<String> TRANSPORTS = List.of("amqp", "kafka", "nsq", "local");
  private static final List<String> PROXIED = List.of("amqp", "nsq");

  @TempDir Path dir;

  @Test
  void randomFaultsForMinutesLoseNothing() throws Exception {
    Duration length = Duration.ofMinutes(Long.getLong("lanes.soak.minutes"));
    long seed = Long.getLong("lanes.soak.seed", System.nanoTime());
    Random random = new Random(seed);
    long deadline = System.nanoTime() + length.toNanos();
    long lost = 0;
    long duplicates = 0;
    long reordered = 0;
    long reorderedWherePromised = 0;
    int overBound = 0;
    int round = 0;
    System.out.printf("soak: %s, seed %d%n", length, seed);
    while (System.nanoTime() < deadline) {
      round++;
      String transport = TRANSPORTS.get(random.nextInt(TRANSPORTS.size()));
      Path roundDir = Files.createDirectories(dir.resolve("round-" + round));
      BrokerTarget target = BrokerTargets.of(transport, roundDir);
      boolean proxied = PROXIED.contains(transport) && random.nextBoolean();
      String faultName;
      Fault fault;
      if (proxied) {
        boolean cut = random.nextBoolean();
        faultName = cut ? "connection cut and restored" : "slow and lossy link";
        fault = cut ? Fault.connectionCut(1000 + random.nextInt(4000)) : Fault.slowLink(5000);
      } else {
        boolean kill = random.nextInt(3) > 0;
        faultName = kill ? "SIGKILL mid-stream" : "none";
        fault = kill ? Fault.sigkill() : Fault.none();
      }
      FaultScenario scenario = FaultScenario.on(target, roundDir, faultName).producingDuringFault();
      FaultRecord record = (proxied ? scenario.throughProxy() : scenario).run(fault);
      System.out.printf("soak round %d: %s%n", round, record);
      lost += record.lost();
      duplicates += record.duplicates();
      reordered += record.reorderedKeys();
      if (record.duplicates() > record.redeliveryBound()) {
        overBound++;
      }
      if (target.keepsOrderAcrossCrash()) {
        reorderedWherePromised += record.reorderedKeys();
      }
    }
    System.out.printf(
        "soak: %d rounds in %s: %d lost, %d duplicated (%d rounds over their bound), %d keys"
            + " reordered (%d where the transport promises order)%n",
        round, length, lost, duplicates, overBound, reordered, reorderedWherePromised);
    assertThat(lost).as("lost over the soak").isZero();
    assertThat(overBound).as("rounds with more duplicates than their bound").isZero();
    assertThat(reorderedWherePromised).as("keys reordered on amqp and kafka").isZero();
  }
}
