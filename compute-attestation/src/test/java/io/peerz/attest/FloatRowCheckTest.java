package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FloatRowCheckTest {
  private static final int N = 256;
  private static final Workload W = new Workload(Workload.Kind.FP32, N);

  @Test
  void gammaIsTwiceTheDotProductBound() {
    assertThat(FloatRowCheck.gamma(1024)).isEqualTo(2 * 0x1p-14 / (1 - 0x1p-14));
    assertThat(FloatRowCheck.gamma(64)).isEqualTo(2 * 0x1p-18 / (1 - 0x1p-18));
  }

  @Test
  void everyHonestSummationOrderPassesAndABfloat16CheaterFailsAtEverySize() {
    // The calibration of docs/attestation.md: 16 rows per size, seven summation orders.
    for (int n = 64; n <= 1024; n *= 2) {
      FloatCalibration.Figures f = FloatCalibration.measure(n, 16, Fixtures.SEED, n);
      for (int o = 0; o < FloatOrders.values().length; o++) {
        assertThat(f.honestMax()[o])
            .as("n=%d order %s", n, FloatOrders.values()[o])
            .isLessThan(1.0);
      }
      assertThat(f.bf16MinRowMax()).as("n=%d bfloat16 cheater", n).isGreaterThan(1.0);
    }
  }

  @Test
  void theWorstCaseBoundLetsTf32InputsThroughAtLargeSizes() {
    // The gap docs/attestation.md states: tol grows like n^2 u, a random rounding error like
    // sqrt(n), so TF32-rounded inputs (11 significant bits) are caught at n = 64 but not at 1024.
    assertThat(FloatCalibration.measure(64, 16, Fixtures.SEED, 1).tf32MinRowMax())
        .isGreaterThan(1.0);
    assertThat(FloatCalibration.measure(1024, 4, Fixtures.SEED, 1).tf32MinRowMax()).isLessThan(1.0);
  }

  @Test
  void cpuReferenceSumsInTheVerifiersOrder() {
    Fp32GemmInputs in = Fp32GemmInputs.generate(W, Fixtures.SEED, 5);
    float[] c = CpuGemm.multiply(in);
    for (int i : new int[] {0, 100, 255}) {
      float[] aRow = Arrays.copyOfRange(in.a, i * N, (i + 1) * N);
      assertThat(Arrays.copyOfRange(c, i * N, (i + 1) * N))
          .isEqualTo(FloatOrders.ROW_MAJOR.row(aRow, in.b, N));
    }
  }

  @Test
  void zeroedRowsPerturbedEntriesAndNonFiniteEntriesFail() {
    Fp32GemmInputs in = Fp32GemmInputs.generate(W, Fixtures.SEED, 9);
    float[] aRow = Arrays.copyOfRange(in.a, 3 * N, 4 * N);
    FloatRowCheck.Rows ref = FloatRowCheck.recompute(N, new float[][] {aRow}, in.b);
    float[] r = ref.values()[0];
    double[] tol = ref.tolerances()[0];
    float[] honest = FloatOrders.REVERSED.row(aRow, in.b, N);
    assertThat(FloatRowCheck.firstViolation(honest, r, tol)).isEqualTo(-1);

    assertThat(FloatRowCheck.firstViolation(new float[N], r, tol)).isEqualTo(0);

    for (int j : new int[] {0, 77, N - 1}) {
      // Just outside the bound fails; half of it passes.
      float[] out = r.clone();
      out[j] = (float) (r[j] + 1.01 * tol[j]);
      assertThat(Math.abs((double) out[j] - r[j])).isGreaterThan(tol[j]);
      assertThat(FloatRowCheck.firstViolation(out, r, tol)).isEqualTo(j);
      float[] in1 = r.clone();
      in1[j] = (float) (r[j] - 0.5 * tol[j]);
      assertThat(FloatRowCheck.firstViolation(in1, r, tol)).isEqualTo(-1);
    }

    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      float[] out = honest.clone();
      out[5] = bad;
      assertThat(FloatRowCheck.firstViolation(out, r, tol)).isEqualTo(5);
      assertThat(FloatRowCheck.maxRatio(out, r, tol)).isInfinite();
    }
  }
}
