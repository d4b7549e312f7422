package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.Sha256;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FreivaldsTest {
  private static final Workload W = new Workload(128);
  private static GemmInputs inputs;
  private static int[] product;

  @BeforeAll
  static void multiply() {
    inputs = GemmInputs.generate(W, Fixtures.SEED, Fixtures.JOB_ID);
    product = CpuGemm.multiply(inputs);
  }

  private static byte[] seed(int i) {
    return Sha256.hash(ByteBuffer.allocate(4).putInt(i).array());
  }

  @Test
  void correctProductPassesEveryRound() {
    for (int i = 0; i < 20; i++) {
      assertThat(Freivalds.verify(inputs, product, seed(i), 3)).isTrue();
    }
    assertThat(Freivalds.verify(128, inputs.a(), inputs.b(), product, seed(0), 64)).isTrue();
  }

  @Test
  void singleChangedEntryIsCaughtInAtLeastHalfOfSingleRounds() {
    // With r from {0..65535} a single wrong entry c_ij escapes only when r_j = 0 (1 in 65536);
    // the bound the brief asks for, 1/2 per round, is what r in {0, 1} would give.
    int caught = 0;
    int trials = 200;
    for (int t = 0; t < trials; t++) {
      int[] c = product.clone();
      c[(t * 7919) % c.length] ^= 1 << (t % 31);
      if (!Freivalds.verify(inputs, c, seed(1000 + t), 1)) {
        caught++;
      }
    }
    assertThat(caught).isGreaterThanOrEqualTo(trials / 2);
    assertThat(caught).isEqualTo(trials);
  }

  @Test
  void skippedRowsAreCaught() {
    int[] faulty = CpuGemm.computeFaulty(inputs, 10_000, 1); // one row of 128
    assertThat(CpuGemm.skippedRows(128, 10_000, 1)).hasSize(1);
    assertThat(Freivalds.verify(inputs, faulty, seed(5), 1)).isFalse();
  }

  @Test
  void vectorIsTheDocumentedStreamOfBigEndianU16() {
    byte[] s = seed(9);
    long[] r = Freivalds.vector(s, 2, 40);
    byte[] block1 =
        Sha256.hash(
            "peerz/freivalds/v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            s,
            ByteBuffer.allocate(4).putInt(2).array(),
            ByteBuffer.allocate(4).putInt(1).array());
    assertThat(r[16]).isEqualTo(((block1[0] & 0xff) << 8) | (block1[1] & 0xff));
    assertThat(r[17]).isEqualTo(((block1[2] & 0xff) << 8) | (block1[3] & 0xff));
    assertThat(java.util.Arrays.stream(r).boxed().toList())
        .allMatch(v -> v >= 0 && v < Freivalds.R_RANGE);
    assertThat(Freivalds.vector(s, 3, 40)).isNotEqualTo(r);
  }

  @Test
  void badArgumentsAreRejected() {
    assertThatThrownBy(() -> Freivalds.verify(inputs, product, seed(0), 0))
        .hasMessageContaining("rounds 0");
    assertThatThrownBy(() -> Freivalds.verify(inputs, new int[5], seed(0), 1))
        .hasMessageContaining("n*n");
    assertThatThrownBy(() -> Freivalds.vector(new byte[3], 0, 8)).hasMessageContaining("32 bytes");
  }

  @Property(tries = 50)
  void anyWrongEntryIsCaughtByTwoRounds(
      @ForAll @Size(32) byte[] seed,
      @ForAll @IntRange(min = 0, max = 128 * 128 - 1) int at,
      @ForAll int delta) {
    int[] c = product.clone();
    c[at] += delta == 0 ? 1 : delta;
    // Passing both rounds has probability at most 2^-32.
    assertThat(Freivalds.verify(inputs, c, seed, 2)).isFalse();
  }

  @Test
  void rectangularProductsPassAndAWrongEntryNamesItsRow() {
    int m = 33;
    int k = 70;
    int n = 17;
    byte[] a = new byte[m * k];
    byte[] b = new byte[k * n];
    new java.util.SplittableRandom(5).nextBytes(a);
    new java.util.SplittableRandom(6).nextBytes(b);
    int[] c = CpuGemm.multiply(m, k, n, a, b);
    assertThat(Freivalds.firstFailingRow(m, k, n, a, b, c, seed(1), 2)).isEqualTo(-1);
    c[20 * n + 16] -= 3;
    assertThat(Freivalds.firstFailingRow(m, k, n, a, b, c, seed(1), 2)).isEqualTo(20);
    assertThatThrownBy(
            () ->
                Freivalds.firstFailingRow(
                    1, 1 << 17, 1 << 16, new byte[0], new byte[0], new int[0], seed(1), 1))
        .hasMessageContaining("beyond the exact range");
  }

  @Test
  void extremeRectangularInputsStayExact() {
    // Every entry -128 and a C of int32 extremes: the sums are far from a long's range.
    int m = 3;
    int k = 4096;
    int n = 64;
    byte[] a = new byte[m * k];
    byte[] b = new byte[k * n];
    java.util.Arrays.fill(a, (byte) -128);
    java.util.Arrays.fill(b, (byte) -128);
    int[] c = CpuGemm.multiply(m, k, n, a, b);
    assertThat(c[0]).isEqualTo(4096 * 16384);
    assertThat(Freivalds.firstFailingRow(m, k, n, a, b, c, seed(2), 4)).isEqualTo(-1);
  }
}
