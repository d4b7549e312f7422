package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.ledger.proto.BlockResults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateRootTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theRootOfAStateGivenAsPairsIsTheAppHashAStoreHoldingThemCommits() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      StateStore state = db.state();
      ChangeSet cs = new ChangeSet(state);
      for (int i = 0; i < 50; i++) {
        cs.put(b("key/" + i), b("value " + i));
      }
      cs.put(b("deleted"), b("x"));
      cs.delete(b("deleted"));
      byte[] computed = StateRoot.of(cs.writes());
      db.commit(state.stage(0, cs), BlockResults.getDefaultInstance(), List.of());
      assertThat(computed).isEqualTo(state.appHash()).isNotEqualTo(new byte[32]);

      ChangeSet other = new ChangeSet(new ChangeSet(state));
      other.put(b("key/0"), b("another value"));
      assertThat(StateRoot.of(other.writes())).isNotEqualTo(state.appHash());
    }
  }

  @Test
  void noPairsIsTheEmptyRoot() {
    assertThat(StateRoot.of(new java.util.TreeMap<>(java.util.Arrays::compareUnsigned)))
        .isEqualTo(new byte[32]);
  }
}
