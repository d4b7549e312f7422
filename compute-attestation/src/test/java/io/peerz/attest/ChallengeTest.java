package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.Sha256;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ChallengeTest {
  private static final Workload W = new Workload(1024);

  @Test
  void sameBlockHashAndJobGiveTheSameChallenge() {
    Challenge one = Challenge.derive(Fixtures.blockHash("b"), 5, W, 16);
    Challenge two = Challenge.derive(Fixtures.blockHash("b"), 5, W, 16);
    assertThat(one).isEqualTo(two);
    assertThat(one.rows()).isEqualTo(two.rows());
    assertThat(one.r()).isEqualTo(two.r());
  }

  @Test
  void rowsAreDistinctInRangeAndDependOnBlockAndJob() {
    Challenge c = Challenge.derive(Fixtures.blockHash("b"), 5, W, 64);
    assertThat(c.rows()).hasSize(64).doesNotHaveDuplicates();
    assertThat(Arrays.stream(c.rows()).boxed().toList()).allMatch(r -> r >= 0 && r < 1024);
    assertThat(Challenge.derive(Fixtures.blockHash("c"), 5, W, 64).rows()).isNotEqualTo(c.rows());
    assertThat(Challenge.derive(Fixtures.blockHash("b"), 6, W, 64).rows()).isNotEqualTo(c.rows());
    assertThat(Challenge.derive(Fixtures.blockHash("b"), 5, W, 16).rows())
        .isEqualTo(Arrays.copyOf(c.rows(), 16));
  }

  @Test
  void firstRowIsTheFirstAcceptedWordOfTheDocumentedHash() {
    byte[] block = Fixtures.blockHash("b");
    Workload w = new Workload(192); // not a power of two: 2^32 mod 192 != 0, so words get rejected
    byte[] h = Sha256.hash(block, ByteBuffer.allocate(8).putLong(5).array(), new byte[8]);
    long limit = (1L << 32) - (1L << 32) % 192;
    long word = Integer.toUnsignedLong(ByteBuffer.wrap(h).getInt(0));
    int w1 = 1;
    while (word >= limit) {
      word = Integer.toUnsignedLong(ByteBuffer.wrap(h).getInt(4 * w1++));
    }
    assertThat(Challenge.derive(block, 5, w, 1).rows()).containsExactly((int) (word % 192));
  }

  @Test
  void askingForEveryRowGivesAPermutation() {
    Workload w = new Workload(64);
    int[] rows = Challenge.derive(Fixtures.blockHash("b"), 1, w, 64).rows();
    Arrays.sort(rows);
    for (int i = 0; i < 64; i++) {
      assertThat(rows[i]).isEqualTo(i);
    }
  }

  @Test
  void freivaldsVectorHasOneEntryPerColumnInRange() {
    long[] r = Challenge.derive(Fixtures.blockHash("b"), 1, W, 16).r();
    assertThat(r).hasSize(1024);
    assertThat(Arrays.stream(r).boxed().toList()).allMatch(v -> v >= 0 && v < Freivalds.R_RANGE);
    assertThat(Arrays.stream(r).distinct().count()).isGreaterThan(900);
  }

  @Test
  void badBlockHashesAndRowCountsAreRejected() {
    assertThatThrownBy(() -> Challenge.derive(new byte[31], 1, W, 16))
        .hasMessageContaining("32 bytes, got 31");
    assertThatThrownBy(() -> Challenge.derive(Fixtures.blockHash("b"), 1, W, 0))
        .hasMessageContaining("k=0");
    assertThatThrownBy(() -> Challenge.derive(Fixtures.blockHash("b"), 1, W, 1025))
        .hasMessageContaining("k=1025");
  }
}
