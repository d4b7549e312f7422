package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.attest.Verdict.Invalid;
import io.peerz.attest.Verdict.Reason;
import io.peerz.attest.proto.SignedAttestation;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class Fp32VerifierTest {
  private static final Workload W = new Workload(Workload.Kind.FP32, 128);
  private static final int N = W.n();
  private static Fp32GemmInputs inputs;

  @BeforeAll
  static void generate() {
    inputs = Fp32GemmInputs.generate(W, Fixtures.SEED, Fixtures.JOB_ID);
  }

  /** The whole output in {@code order}, as an executor with that summation order commits it. */
  private static float[] product(FloatOrders order) {
    float[] c = new float[N * N];
    for (int i = 0; i < N; i++) {
      float[] row = order.row(Arrays.copyOfRange(inputs.a, i * N, (i + 1) * N), inputs.b, N);
      System.arraycopy(row, 0, c, i * N, N);
    }
    return c;
  }

  private static Verdict reveal(float[] c, String block) {
    OutputCommitment commitment = OutputCommitment.ofFloats(N, c);
    SignedAttestation signed =
        Fixtures.signed(W, Fixtures.SEED, Fixtures.JOB_ID, commitment.root());
    Challenge ch = Challenge.derive(Fixtures.blockHash(block), Fixtures.JOB_ID, W, 16);
    return Verifier.verifyReveal(signed, ch, commitment.reveal(ch));
  }

  @Test
  void honestOutputsInOtherSummationOrdersVerify() {
    for (FloatOrders order :
        new FloatOrders[] {FloatOrders.REVERSED, FloatOrders.PAIRWISE, FloatOrders.DOUBLE}) {
      float[] c = product(order);
      assertThat(reveal(c, "block 7")).as(order.name()).isInstanceOf(Verdict.Valid.class);
    }
    // The orders really differ in bits from the verifier's, so the tolerance is what passes them.
    assertThat(product(FloatOrders.REVERSED)).isNotEqualTo(CpuGemm.multiply(inputs));
    assertThat(reveal(CpuGemm.multiply(inputs), "block 7")).isInstanceOf(Verdict.Valid.class);
  }

  @Test
  void zeroedRowsFailWithWrongRow() {
    float[] c = product(FloatOrders.REVERSED);
    Challenge ch = Challenge.derive(Fixtures.blockHash("block 7"), Fixtures.JOB_ID, W, 16);
    int row = ch.rows()[3];
    Arrays.fill(c, row * N, (row + 1) * N, 0f);
    Verdict v = reveal(c, "block 7");
    assertThat(v).isInstanceOf(Invalid.class);
    assertThat(((Invalid) v).reason()).isEqualTo(Reason.WRONG_ROW);
    assertThat(((Invalid) v).message()).contains("row " + row + " column 0 is 0.0");
  }

  @Test
  void lowerPrecisionAndNonFiniteRowsFail() {
    // Computed from bfloat16-rounded inputs: every row is far outside the bound.
    float[] a16 = FloatOrders.bfloat16(inputs.a);
    float[] b16 = FloatOrders.bfloat16(inputs.b);
    float[] lazy = CpuGemm.multiplyFloat(N, a16, b16);
    Verdict v = reveal(lazy, "block 9");
    assertThat(((Invalid) v).reason()).isEqualTo(Reason.WRONG_ROW);
    assertThat(((Invalid) v).message()).contains("within a tolerance of");

    Challenge ch = Challenge.derive(Fixtures.blockHash("block 9"), Fixtures.JOB_ID, W, 16);
    float[] nan = CpuGemm.multiply(inputs);
    nan[ch.rows()[0] * N + 11] = Float.NaN;
    Verdict vn = reveal(nan, "block 9");
    assertThat(((Invalid) vn).reason()).isEqualTo(Reason.WRONG_ROW);
    assertThat(((Invalid) vn).message()).contains("column 11 is NaN");
  }
}
