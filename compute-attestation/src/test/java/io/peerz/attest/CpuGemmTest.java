package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CpuGemmTest {

  static int[] naive(int n, byte[] a, byte[] b) {
    int[] c = new int[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        long s = 0;
        for (int k = 0; k < n; k++) {
          s += (long) a[i * n + k] * b[k * n + j];
        }
        c[i * n + j] = Math.toIntExact(s);
      }
    }
    return c;
  }

  @Test
  void blockedProductEqualsTheNaiveTripleLoop() {
    SplittableRandom random = new SplittableRandom(1);
    // Sizes that are and are not multiples of the row, inner and column blocks.
    for (int n : new int[] {1, 3, 33, 64, 129, 192, 640}) {
      byte[] a = new byte[n * n];
      byte[] b = new byte[n * n];
      for (int i = 0; i < n * n; i++) {
        a[i] = (byte) random.nextInt(256);
        b[i] = (byte) random.nextInt(256);
      }
      assertThat(CpuGemm.multiply(n, a, b)).as("n=%d", n).isEqualTo(naive(n, a, b));
    }
  }

  static int[] naive(int m, int k, int n, byte[] a, byte[] b) {
    int[] c = new int[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        long s = 0;
        for (int t = 0; t < k; t++) {
          s += (long) a[i * k + t] * b[t * n + j];
        }
        c[i * n + j] = Math.toIntExact(s);
      }
    }
    return c;
  }

  @Test
  void rectangularProductEqualsTheNaiveTripleLoop() {
    SplittableRandom random = new SplittableRandom(2);
    // Ragged shapes around the row (32), inner (128) and column (512) blocks, and degenerate ones.
    int[][] shapes = {
      {1, 1, 1}, {1, 300, 1}, {7, 1, 9}, {33, 129, 5}, {100, 77, 513}, {65, 257, 64}, {3, 1000, 2}
    };
    for (int[] s : shapes) {
      int m = s[0], k = s[1], n = s[2];
      byte[] a = new byte[m * k];
      byte[] b = new byte[k * n];
      for (int i = 0; i < a.length; i++) {
        a[i] = (byte) random.nextInt(256);
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) random.nextInt(256);
      }
      assertThat(CpuGemm.multiply(m, k, n, a, b))
          .as("m=%d k=%d n=%d", m, k, n)
          .isEqualTo(naive(m, k, n, a, b));
    }
  }

  @Test
  void theLargestInnerDimensionStaysExactAndOneMoreIsRefused() {
    int k = CpuGemm.MAX_INNER;
    byte[] a = new byte[k];
    byte[] b = new byte[k];
    Arrays.fill(a, (byte) -128);
    Arrays.fill(b, (byte) -128);
    // 131,071 x 16,384 = 2,147,467,264: the largest sum, still below 2^31 - 1.
    assertThat(CpuGemm.multiply(1, k, 1, a, b)).containsExactly(k * 16_384);
    byte[] longer = new byte[k + 1];
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CpuGemm.multiply(1, k + 1, 1, longer, longer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("131071");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CpuGemm.multiply(2, 3, 4, new byte[6], new byte[11]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k*n = 12");
  }

  @Test
  void seededInputsMultiplyLikeTheNaiveLoop() {
    GemmInputs in = GemmInputs.generate(new Workload(128), Fixtures.SEED, Fixtures.JOB_ID);
    assertThat(CpuGemm.multiply(in)).isEqualTo(naive(128, in.a(), in.b()));
  }

  @Test
  void extremeInputsStayExactAtTheLargestSize() {
    // All entries -128: every output entry is 4096 x 16384 = 2^26, the largest magnitude int8
    // inputs can reach; int32 holds it with room to spare.
    int n = Workload.MAX_N;
    byte[] aRow = new byte[n];
    Arrays.fill(aRow, (byte) -128);
    byte[] b = new byte[n * n];
    Arrays.fill(b, (byte) -128);
    assertThat(CpuGemm.row(n, aRow, b)).containsOnly(1 << 26);
    Arrays.fill(b, (byte) 127);
    assertThat(CpuGemm.row(n, aRow, b)).containsOnly(-128 * 127 * n);
  }

  @Test
  void faultyRunZeroesExactlyTheSkippedFractionAndKeepsTheRest() {
    GemmInputs in = GemmInputs.generate(new Workload(640), Fixtures.SEED, Fixtures.JOB_ID);
    int[] honest = CpuGemm.multiply(in);
    int[] faulty = CpuGemm.computeFaulty(in, 100_000, 9);
    int[] skipped = CpuGemm.skippedRows(640, 100_000, 9);
    assertThat(skipped).hasSize(64).doesNotHaveDuplicates().isSorted();
    assertThat(CpuGemm.skippedRows(640, 100_000, 9)).isEqualTo(skipped);
    boolean[] isSkipped = new boolean[640];
    for (int row : skipped) {
      isSkipped[row] = true;
    }
    for (int i = 0; i < 640; i++) {
      int[] got = Arrays.copyOfRange(faulty, i * 640, (i + 1) * 640);
      int[] want = Arrays.copyOfRange(honest, i * 640, (i + 1) * 640);
      if (isSkipped[i]) {
        assertThat(got).as("row %d", i).containsOnly(0);
        assertThat(want).as("row %d", i).isNotEqualTo(got);
      } else {
        assertThat(got).as("row %d", i).isEqualTo(want);
      }
    }
    assertThat(CpuGemm.skippedRows(640, 0, 9)).isEmpty();
    assertThat(CpuGemm.skippedRows(640, 1_000_000, 9)).hasSize(640);
  }
}
