package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrorsDocTest {

  @Test
  void everyCodeIsUniqueInItsCodespaceAndListedInDocsErrorsMd() throws Exception {
    Set<String> seen = new HashSet<>();
    for (ErrorCode e : ErrorCode.values()) {
      assertThat(e.code).isPositive();
      assertThat(seen.add(e.codespace + "/" + e.code)).as(e.name()).isTrue();
    }
    Path doc = Path.of("..", "docs", "errors.md");
    String text = Files.readString(doc);
    for (ErrorCode e : ErrorCode.values()) {
      assertThat(text)
          .as(e.name())
          .contains("| " + e.codespace + " | " + e.code + " | `" + e.name().toLowerCase() + "` |");
    }
  }
}
