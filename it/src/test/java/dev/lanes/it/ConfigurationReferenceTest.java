package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every key of every module's reference.conf, as the code has it. */
class ConfigurationReferenceTest {

  private static final Path DOC = Path.of("..", "docs", "configuration.md");

  @Test
  void everyKeyIsDocumentedWithItsDefaultAndMeaning() throws Exception {
    String generated = ConfigurationReference.render();
    if (Boolean.getBoolean("lanes.docs.write")) {
      Files.writeString(DOC, generated);
    }
    assertThat(generated)
        .as("every key has a comment in its reference.conf")
        .doesNotContainPattern("\\| `[^`]*` \\| `[^`]*` \\|  \\|");
    assertThat(Files.exists(DOC) ? Files.readString(DOC) : "")
        .as("docs/configuration.md is stale: regenerate it (see the command at its top)")
        .isEqualTo(generated);
  }
}
