package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.Hex;
import io.peerz.ledger.Sha256;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Fp32GemmInputsTest {
  /**
   * SHA-256 of row 0 of A for fp32-gemm-1024, seed 00 01 .. 1f, job 42, as 1024 little-endian
   * float32. Pinned: any change to the generator changes every executor's inputs, so it must fail.
   */
  static final String FIRST_ROW_SHA256 =
      "02ae97664b434c4df40aebba96754b3986ae0d8a0692a441ee33a2b65986c94f";

  private static final Workload W1024 = new Workload(Workload.Kind.FP32, 1024);

  static byte[] littleEndian(float[] row) {
    ByteBuffer out = ByteBuffer.allocate(4 * row.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : row) {
      out.putFloat(f);
    }
    return out.array();
  }

  @Test
  void firstRowOfAIsPinned() {
    float[] row = Fp32GemmInputs.rowOfA(W1024, Fixtures.SEED, Fixtures.JOB_ID, 0);
    assertThat(Hex.encode(Sha256.hash(littleEndian(row)))).isEqualTo(FIRST_ROW_SHA256);
  }

  @Test
  void rowsFollowTheDocumentedStreamAndMapping() {
    // An independent reading of docs/attestation.md: 4n bytes of the counter-mode stream under
    // "peerz/fp32-gemm/v1", each big-endian int32 w read as the float nearest w / 2^31.
    int n = 128;
    Workload w = new Workload(Workload.Kind.FP32, n);
    Fp32GemmInputs inputs = Fp32GemmInputs.generate(w, Fixtures.SEED, Fixtures.JOB_ID);
    for (int tag : new int[] {'A', 'B'}) {
      for (int row : new int[] {0, 1, 127}) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int counter = 0; counter < 4 * n / 32; counter++) {
          ByteBuffer in = ByteBuffer.allocate(18 + 32 + 8 + 1 + 4 + 4);
          in.put("peerz/fp32-gemm/v1".getBytes(StandardCharsets.US_ASCII));
          in.put(Fixtures.SEED)
              .putLong(Fixtures.JOB_ID)
              .put((byte) tag)
              .putInt(row)
              .putInt(counter);
          stream.writeBytes(Sha256.hash(in.array()));
        }
        ByteBuffer words = ByteBuffer.wrap(stream.toByteArray());
        float[] expected = new float[n];
        for (int j = 0; j < n; j++) {
          expected[j] = (float) ((double) words.getInt() / (1L << 31));
        }
        float[] m = tag == 'A' ? inputs.a() : inputs.b();
        assertThat(Arrays.copyOfRange(m, row * n, row * n + n)).isEqualTo(expected);
      }
    }
  }

  @Test
  void entriesLieInMinusOneToOneWithoutSubnormals() {
    assertThat(Fp32GemmInputs.entry(Integer.MIN_VALUE)).isEqualTo(-1.0f);
    // 2^31 - 1 over 2^31 is nearer 1 than any float below it.
    assertThat(Fp32GemmInputs.entry(Integer.MAX_VALUE)).isEqualTo(1.0f);
    assertThat(Fp32GemmInputs.entry(1)).isEqualTo(0x1p-31f);
    assertThat(Fp32GemmInputs.entry(0)).isEqualTo(0.0f);
    Workload w = new Workload(Workload.Kind.FP32, 256);
    for (float f : Fp32GemmInputs.generate(w, Fixtures.SEED, 7).a()) {
      assertThat(f).isBetween(-1.0f, 1.0f);
      assertThat(f == 0 || Math.abs(f) >= Float.MIN_NORMAL).isTrue();
    }
  }

  @Test
  void regenerationIsDeterministicAndRowsOfAStandAlone() {
    Workload w = new Workload(Workload.Kind.FP32, 192);
    Fp32GemmInputs one = Fp32GemmInputs.generate(w, Fixtures.SEED, Fixtures.JOB_ID);
    assertThat(Fp32GemmInputs.generate(w, Fixtures.SEED, Fixtures.JOB_ID).a()).isEqualTo(one.a());
    assertThat(Fp32GemmInputs.matrixB(w, Fixtures.SEED, Fixtures.JOB_ID)).isEqualTo(one.b());
    for (int row : new int[] {0, 17, 191}) {
      assertThat(Fp32GemmInputs.rowOfA(w, Fixtures.SEED, Fixtures.JOB_ID, row))
          .isEqualTo(Arrays.copyOfRange(one.a(), row * 192, row * 192 + 192));
    }
    assertThat(one.a()).isNotEqualTo(one.b());
    assertThat(Fp32GemmInputs.generate(w, Fixtures.SEED, Fixtures.JOB_ID + 1).a())
        .isNotEqualTo(one.a());
  }

  @Test
  void eachGeneratorRefusesTheOtherKind() {
    assertThatThrownBy(
            () -> Fp32GemmInputs.generate(new Workload(64), Fixtures.SEED, Fixtures.JOB_ID))
        .hasMessageContaining("int8-gemm-64 needs GemmInputs");
    assertThatThrownBy(
            () ->
                GemmInputs.generate(
                    new Workload(Workload.Kind.FP32, 64), Fixtures.SEED, Fixtures.JOB_ID))
        .hasMessageContaining("fp32-gemm-64 needs Fp32GemmInputs");
    assertThatThrownBy(
            () ->
                Fp32GemmInputs.rowOfA(
                    new Workload(Workload.Kind.FP32, 64), Fixtures.SEED, Fixtures.JOB_ID, 64))
        .hasMessageContaining("row 64 outside 0..63");
  }
}
