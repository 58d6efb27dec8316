package dev.lanes.runner.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.spi.TaskConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishSettingsTest {

  private static final String TOKEN = "s3cr3t-XYZ-0123456789";

  @TempDir Path dir;

  private static PublishSettings of(String http) {
    TaskConfig task =
        TaskConfigLoader.forTask("t", ConfigFactory.parseString("http { " + http + " }"));
    return PublishSettings.of(task, task.config().getString("http.host"));
  }

  @Test
  void offByDefaultWithLimits() {
    PublishSettings settings = of("");
    assertThat(settings.enabled()).isFalse();
    assertThat(settings.ownListener()).isFalse();
    assertThat(settings.maxBody()).isEqualTo(16 * 1024 * 1024);
    assertThat(settings.maxMessages()).isEqualTo(1000);
    assertThat(settings.rateLimit()).isEqualTo(10000);
    assertThat(settings.burst()).isEqualTo(20000);
  }

  @Test
  void anOpenWritePathIsAReadyFailedNamingTheKeys() {
    assertThatThrownBy(() -> of("host = \"0.0.0.0\", publish.enabled = true"))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 't'")
        .hasMessageContaining("http.publish.enabled = true on http.host 0.0.0.0")
        .hasMessageContaining("http.publish.token")
        .hasMessageContaining("http.publish.port");
  }

  @Test
  void withoutATokenOnlyLoopbackListenersMayPublish() {
    assertThat(of("host = \"127.0.0.1\", publish.enabled = true").token()).isEmpty();
    assertThat(of("host = \"localhost\", publish.enabled = true").enabled()).isTrue();
    PublishSettings own = of("host = \"0.0.0.0\", publish { enabled = true, port = 0 }");
    assertThat(own.ownListener()).isTrue();
    assertThat(own.token()).isEmpty();
  }

  @Test
  void aTokenOpensAnyHostAndIsNeverShown() {
    PublishSettings settings =
        of("host = \"0.0.0.0\", publish { enabled = true, token = \"" + TOKEN + "\" }");
    assertThat(settings.token()).isPresent();
    BearerToken token = settings.bearerToken(null).orElseThrow();
    assertThat(token.matches(TOKEN)).isTrue();
    assertThat(token.matches(TOKEN + "x")).isFalse();
    assertThat(settings.toString()).doesNotContain(TOKEN);
  }

  @Test
  void readsTheTokenFileWhenPublishingOpensNotBefore() throws Exception {
    Path file = dir.resolve("token");
    String http = "host = \"0.0.0.0\", publish { enabled = true, tokenFile = \"" + file + "\" }";
    TaskConfig task =
        TaskConfigLoader.forTask("t", ConfigFactory.parseString("http { " + http + " }"));
    PublishSettings settings = of(http);
    assertThat(settings.requiresToken()).as("runner check needs no secret").isTrue();
    assertThatThrownBy(() -> settings.bearerToken(task))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("http.publish.tokenFile: expected a readable file holding the token");

    Files.writeString(file, TOKEN + "\n");
    assertThat(settings.bearerToken(task).orElseThrow().matches(TOKEN)).isTrue();
    Files.writeString(file, "short\n");
    assertThatThrownBy(() -> settings.bearerToken(task))
        .hasMessageContaining("http.publish.tokenFile: expected a token of at least 16")
        .hasMessageNotContaining("short");
  }

  @Test
  void badTokensAreRefusedWithoutShowingThem() {
    assertThatThrownBy(() -> of("publish { enabled = true, token = \"s3cr3t-XYZ\" }"))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("http.publish.token: expected a token of at least 16")
        .hasMessageNotContaining("s3cr3t-XYZ");
    assertThatThrownBy(
            () ->
                of(
                    "publish { token = \""
                        + TOKEN
                        + "\", tokenFile = \""
                        + dir.resolve("token")
                        + "\" }"))
        .hasMessageContaining("not both")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void aBurstBelowOneRequestIsRefused() {
    assertThatThrownBy(() -> of("publish { maxMessages = 100, burst = 99 }"))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("http.publish.burst: expected at least http.publish.maxMessages");
  }
}
