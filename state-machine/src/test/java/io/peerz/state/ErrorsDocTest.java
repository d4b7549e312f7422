package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/errors.md and the codes the state machine can produce agree, both ways: every documented row
 * is an {@link ErrorCode} that main code returns and a test asserts, and every ErrorCode is
 * documented. The {@code mempool} and {@code input} rows belong to other modules (ELSEWHERE).
 */
class ErrorsDocTest {
  private static final Pattern ROW =
      Pattern.compile("^\\| ([a-z_]+) \\| (\\d+) \\| `([a-z_]+)` \\|", Pattern.MULTILINE);

  /**
   * Codespaces documented in errors.md whose codes another module produces and checks: the node's
   * mempool (consensus-app's MempoolErrorsDocTest), the executor's input check and the data plane
   * (gpu-exec).
   */
  private static final Set<String> ELSEWHERE = Set.of("mempool", "input", "data");

  record Row(String codespace, int code, String name) {}

  static List<Row> documented() throws IOException {
    Matcher m = ROW.matcher(Files.readString(Path.of("..", "docs", "errors.md")));
    List<Row> rows = new ArrayList<>();
    while (m.find()) {
      rows.add(new Row(m.group(1), Integer.parseInt(m.group(2)), m.group(3)));
    }
    return rows;
  }

  private static String sources(String root, Set<String> excluded) throws IOException {
    try (Stream<Path> files = Files.walk(Path.of(root))) {
      return files
          .filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !excluded.contains(p.getFileName().toString()))
          .map(
              p -> {
                try {
                  return Files.readString(p);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .collect(Collectors.joining("\n"));
    }
  }

  @Test
  void everyCodeIsUniqueInItsCodespaceAndListedInDocsErrorsMd() throws Exception {
    Set<String> seen = new HashSet<>();
    for (ErrorCode e : ErrorCode.values()) {
      assertThat(e.code).isPositive();
      assertThat(seen.add(e.codespace + "/" + e.code)).as(e.name()).isTrue();
    }
    Set<Row> rows = new HashSet<>(documented());
    for (ErrorCode e : ErrorCode.values()) {
      assertThat(rows)
          .as(e.name())
          .contains(new Row(e.codespace, e.code, e.name().toLowerCase(Locale.ROOT)));
    }
  }

  @Test
  void everyDocumentedCodeIsOneTheCodeReturnsAndATestAsserts() throws Exception {
    Set<String> codespaces = new HashSet<>();
    for (ErrorCode e : ErrorCode.values()) {
      codespaces.add(e.codespace);
    }
    String main = sources("src/main/java", Set.of("ErrorCode.java"));
    String tests = sources("src/test/java", Set.of("ErrorsDocTest.java"));
    List<Row> rows = documented();
    assertThat(rows).hasSizeGreaterThan(ErrorCode.values().length - 1);
    assertThat(rows).doesNotHaveDuplicates();
    for (Row row : rows) {
      if (ELSEWHERE.contains(row.codespace())) {
        continue;
      }
      assertThat(codespaces).as("codespace of %s", row).contains(row.codespace());
      ErrorCode e =
          Stream.of(ErrorCode.values())
              .filter(c -> c.name().toLowerCase(Locale.ROOT).equals(row.name()))
              .findFirst()
              .orElse(null);
      assertThat(e).as("an ErrorCode named %s", row.name()).isNotNull();
      assertThat(e.codespace + "/" + e.code)
          .as("%s", row)
          .isEqualTo(row.codespace() + "/" + row.code());
      Pattern use = Pattern.compile("\\bErrorCode\\." + e.name() + "\\b");
      assertThat(use.matcher(main).find()).as("%s returned by main code", e).isTrue();
      assertThat(use.matcher(tests).find()).as("%s asserted by a test", e).isTrue();
    }
  }
}
