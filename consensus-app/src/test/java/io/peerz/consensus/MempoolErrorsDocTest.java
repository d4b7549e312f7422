package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The {@code mempool} rows of docs/errors.md and {@link Mempool.Refusal} agree both ways, and each
 * refusal is one the mempool returns and a test asserts (state-machine's ErrorsDocTest checks the
 * other codespaces).
 */
class MempoolErrorsDocTest {
  private static final Pattern ROW =
      Pattern.compile("^\\| mempool \\| (\\d+) \\| `([a-z_]+)` \\|", Pattern.MULTILINE);

  @Test
  void everyMempoolRefusalIsDocumentedAndEveryDocumentedOneIsReturnedAndTested() throws Exception {
    Matcher m = ROW.matcher(Files.readString(Path.of("..", "docs", "errors.md")));
    List<String> documented = new ArrayList<>();
    while (m.find()) {
      documented.add(m.group(1) + " " + m.group(2));
    }
    assertThat(documented)
        .containsExactlyInAnyOrderElementsOf(
            Stream.of(Mempool.Refusal.values()).map(r -> r.code + " " + r.docName).toList());

    String mempool = Files.readString(Path.of("src/main/java/io/peerz/consensus/Mempool.java"));
    String tests =
        Files.readString(Path.of("src/test/java/io/peerz/consensus/MempoolTest.java"))
            + Files.readString(Path.of("src/test/java/io/peerz/node/PeerzApplicationTest.java"));
    for (Mempool.Refusal r : Mempool.Refusal.values()) {
      String constant =
          switch (r) {
            case TX_TOO_LARGE_FOR_MEMPOOL -> "CODE_TX_TOO_LARGE";
            case FULL_COUNT -> "CODE_FULL_COUNT";
            case FULL_BYTES -> "CODE_FULL_BYTES";
            case DUPLICATE -> "CODE_DUPLICATE";
            case EMPTY_TX -> "CODE_EMPTY_TX";
          };
      assertThat(Pattern.compile("reject\\(\\s*" + constant + "\\b").matcher(mempool).find())
          .as("%s returned", r)
          .isTrue();
      assertThat(tests).as("%s asserted", r).contains("Mempool." + constant);
    }
  }
}
