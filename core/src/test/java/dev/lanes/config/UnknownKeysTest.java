package dev.lanes.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnknownKeysTest {

  /** Known keys as a reference.conf would have them: leaves, sections, a free-form block. */
  private static final Config DEFAULTS =
      ConfigFactory.parseString(
          """
          transport = ""
          handler = ""
          consumerNum = 10
          channelLength = 1024
          retry { maxAttempts = 5, initialDelay = 1s, maxDelay = 5m, jitter = 0.2 }
          kafka { topic = "", client {} }
          seed { generator = "", count = 0 }
          """);

  private final UnknownKeys keys = new UnknownKeys(DEFAULTS, Set.of("seed"));

  private List<String> messages(String hocon) {
    Config file = ConfigFactory.parseString(hocon);
    return keys.in(file.getConfig("t"), "tasks.conf", "task 't'").stream()
        .map(UnknownKey::message)
        .toList();
  }

  @Test
  void aTypoOfALanesKeyNamesFileLineTaskKeyAndTheClosestKey() {
    assertThat(messages("t {\n  handler = x.H\n  consumerNumm = 10\n}\n"))
        .containsExactly(
            "tasks.conf:3: task 't': consumerNumm: unknown key, did you mean consumerNum?");
  }

  @Test
  void aKeyThatDiffersOnlyInCaseIsATypo() {
    assertThat(messages("t { consumernum = 10 }"))
        .containsExactly(
            "tasks.conf:1: task 't': consumernum: unknown key, did you mean consumerNum?");
  }

  @Test
  void aTypoOfASectionNamesTheSection() {
    assertThat(messages("t {\n  retyr { maxAttempts = 3 }\n}"))
        .containsExactly("tasks.conf:2: task 't': retyr: unknown key, did you mean retry?");
  }

  @Test
  void everyUnknownKeyInsideALanesSectionIsReportedWithTheClosestKeyOrTheKnownOnes() {
    assertThat(messages("t {\n  retry.maxAtempts = 3\n  retry.backoff = 2\n}"))
        .containsExactly(
            "tasks.conf:2: task 't': retry.maxAtempts: unknown key, did you mean"
                + " retry.maxAttempts?",
            "tasks.conf:3: task 't': retry.backoff: unknown key; retry has initialDelay, jitter,"
                + " maxAttempts, maxDelay");
  }

  @Test
  void handlerKeysFarFromEveryLanesKeyAreNotReported() {
    assertThat(
            messages(
                """
                t {
                  password = secret
                  orderLog.file = "orders.log"
                  downstream { url = "http://x", timeout = 2s }
                }
                """))
        .isEmpty();
  }

  @Test
  void freeFormBlocksAndOpenSectionsTakeAnyKey() {
    assertThat(
            messages(
                """
                t {
                  kafka.client { "security.protocol" = SASL_SSL, linger.ms = 5 }
                  seed { generator = x.Gen, count = 5, orders = 10 }
                }
                """))
        .isEmpty();
  }

  @Test
  void knownKeysAreNotReported() {
    assertThat(
            messages(
                "t { transport = kafka, consumerNum = 3, retry { jitter = 0.1 }, kafka.topic = a }"))
        .isEmpty();
  }
}
