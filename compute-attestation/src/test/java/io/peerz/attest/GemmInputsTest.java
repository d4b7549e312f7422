package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.Hex;
import io.peerz.ledger.Sha256;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GemmInputsTest {
  /**
   * SHA-256 of row 0 of A for int8-gemm-1024, seed 00 01 .. 1f, job 42. Pinned: any change to the
   * generator changes every executor's inputs and every committed root, so it must fail here.
   */
  static final String FIRST_ROW_SHA256 =
      "65ddb86f1ea6405e211fb2c1c104004a8ade4ba12be6dddc648e96599aec32f3";

  private static final Workload W1024 = new Workload(1024);

  @Test
  void firstRowOfAIsPinned() {
    byte[] row = GemmInputs.rowOfA(W1024, Fixtures.SEED, Fixtures.JOB_ID, 0);
    assertThat(Hex.encode(Sha256.hash(row))).isEqualTo(FIRST_ROW_SHA256);
  }

  @Test
  void rowsFollowTheDocumentedCounterModeStream() {
    // An independent reading of docs/attestation.md, byte for byte.
    Workload w = new Workload(128);
    for (int tag : new int[] {'A', 'B'}) {
      for (int row : new int[] {0, 1, 127}) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int counter = 0; counter < 128 / 32; counter++) {
          ByteBuffer in = ByteBuffer.allocate(18 + 32 + 8 + 1 + 4 + 4);
          in.put("peerz/int8-gemm/v1".getBytes(StandardCharsets.US_ASCII));
          in.put(Fixtures.SEED)
              .putLong(Fixtures.JOB_ID)
              .put((byte) tag)
              .putInt(row)
              .putInt(counter);
          stream.writeBytes(Sha256.hash(in.array()));
        }
        byte[] expected = stream.toByteArray();
        GemmInputs inputs = GemmInputs.generate(w, Fixtures.SEED, Fixtures.JOB_ID);
        byte[] m = tag == 'A' ? inputs.a() : inputs.b();
        assertThat(Arrays.copyOfRange(m, row * 128, row * 128 + 128)).isEqualTo(expected);
      }
    }
  }

  @Test
  void regenerationIsDeterministicAndRowsOfAStandAlone() {
    Workload w = new Workload(192);
    GemmInputs one = GemmInputs.generate(w, Fixtures.SEED, Fixtures.JOB_ID);
    GemmInputs two = GemmInputs.generate(w, Fixtures.SEED, Fixtures.JOB_ID);
    assertThat(one.a()).isEqualTo(two.a());
    assertThat(one.b()).isEqualTo(two.b());
    assertThat(GemmInputs.matrixB(w, Fixtures.SEED, Fixtures.JOB_ID)).isEqualTo(one.b());
    for (int row : new int[] {0, 17, 191}) {
      assertThat(GemmInputs.rowOfA(w, Fixtures.SEED, Fixtures.JOB_ID, row))
          .isEqualTo(Arrays.copyOfRange(one.a(), row * 192, row * 192 + 192));
    }
    assertThat(one.a()).isNotEqualTo(one.b());
  }

  @Test
  void anotherJobOrSeedGivesOtherInputs() {
    Workload w = new Workload(64);
    byte[] a = GemmInputs.generate(w, Fixtures.SEED, 1).a();
    assertThat(GemmInputs.generate(w, Fixtures.SEED, 2).a()).isNotEqualTo(a);
    assertThat(GemmInputs.generate(w, Fixtures.bytes(32, 1), 1).a()).isNotEqualTo(a);
  }

  @Test
  void seedsOfAnotherLengthAndRowsOutsideAreRejected() {
    assertThatThrownBy(() -> GemmInputs.generate(new Workload(64), new byte[31], 1))
        .hasMessageContaining("32 bytes, got 31");
    assertThatThrownBy(() -> GemmInputs.rowOfA(new Workload(64), Fixtures.SEED, 1, 64))
        .hasMessageContaining("row 64 outside 0..63");
  }
}
