package io.peerz.abci;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The proof example in docs/cometbft.md verifies as the same page says proofs verify. */
class DocsProofExampleTest {

  private static String first(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as(regex).isTrue();
    return m.group(1);
  }

  @Test
  void theDocumentedAbciQueryAnswerVerifiesAgainstTheDocumentedAppHash() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "cometbft.md"));
    String example = doc.substring(doc.indexOf("#### Example"));
    byte[] key = Base64.getDecoder().decode(first(example, "\"key\": \"([A-Za-z0-9+/=]+)\""));
    byte[] value = Base64.getDecoder().decode(first(example, "\"value\": \"([A-Za-z0-9+/=]+)\""));
    byte[] data = Base64.getDecoder().decode(first(example, "\"data\": \"([A-Za-z0-9+/=]+)\""));
    byte[] appHash =
        HexFormat.of().parseHex(first(example, "\"app_hash\": \"([0-9A-F]{64})\"").toLowerCase());
    assertThat(DocsProofVerifier.verify("peerz:smt", key, data, key, value, appHash)).isTrue();
    assertThat(DocsProofVerifier.verify("peerz:smt", key, data, key, null, appHash)).isFalse();
  }
}
