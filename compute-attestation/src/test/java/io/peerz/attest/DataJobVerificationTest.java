package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.attest.Verdict.Invalid;
import io.peerz.attest.Verdict.Reason;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.EntryReveal;
import io.peerz.attest.proto.RevealedEntry;
import io.peerz.attest.proto.SignedAttestation;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DataJobVerificationTest {
  static final int M = 37;
  static final int K = 50;
  static final int N = 23;
  static Int8Matrix a;
  static Int8Matrix b;
  static Int32Matrix c;
  static GemmCommitments honest;

  static Int8Matrix random(int rows, int cols, long seed) {
    byte[] d = new byte[rows * cols];
    new SplittableRandom(seed).nextBytes(d);
    return new Int8Matrix(rows, cols, d);
  }

  @BeforeAll
  static void multiply() {
    a = random(M, K, 1);
    b = random(K, N, 2);
    c = new Int32Matrix(M, N, CpuGemm.multiply(M, K, N, a.data(), b.data()));
    honest = GemmCommitments.of(a, b, c);
  }

  static SignedAttestation attest(GemmCommitments g) {
    Attestation att =
        Fixtures.attestation(new Workload(64), new byte[32], Fixtures.JOB_ID, new byte[32])
            .toBuilder()
            .setWorkload("gemm-int8")
            .clearSeed()
            .clearOutputRoot()
            .addAllInputs(g.inputs())
            .addAllOutputs(g.outputs())
            .build();
    return Attestations.sign(att, Fixtures.EXECUTOR);
  }

  static EntryChallenge challenge(String label, int count) {
    return EntryChallenge.derive(
        Fixtures.blockHash(label), Fixtures.JOB_ID, honest.outputs().get(0), count);
  }

  @Test
  void anHonestRevealIsValidAndTheChallengeIsDistinctEntriesInRange() {
    EntryChallenge ch = challenge("h1", 16);
    Set<Integer> seen = new HashSet<>();
    for (int s = 0; s < ch.size(); s++) {
      assertThat(ch.rows()[s]).isBetween(0, M - 1);
      assertThat(ch.cols()[s]).isBetween(0, N - 1);
      assertThat(seen.add(ch.rows()[s] * N + ch.cols()[s])).isTrue();
    }
    assertThat(ch).isEqualTo(challenge("h1", 16));
    assertThat(ch).isNotEqualTo(challenge("h2", 16));
    Verdict v = Verifier.verifyEntryReveal(attest(honest), ch, honest.reveal(ch));
    assertThat(v.isValid()).as(v.toString()).isTrue();
    // Every entry of the output, drawn at once, still terminates and covers all of them.
    assertThat(challenge("all", M * N).size()).isEqualTo(M * N);
  }

  @Test
  void aWrongEntryThatIsSampledIsCaughtExactly() {
    EntryChallenge ch = challenge("h3", 16);
    int[] bad = c.data().clone();
    int row = ch.rows()[5];
    int col = ch.cols()[5];
    bad[row * N + col] += 1;
    GemmCommitments cheat = GemmCommitments.of(a, b, new Int32Matrix(M, N, bad));
    Verdict v = Verifier.verifyEntryReveal(attest(cheat), ch, cheat.reveal(ch));
    assertThat(v).isInstanceOf(Invalid.class);
    assertThat(((Invalid) v).reason()).isEqualTo(Reason.WRONG_ENTRY);
    assertThat(((Invalid) v).message()).contains("c[" + row + "][" + col + "]");
    assertThat(Verifier.checkEntry(Verifier.decode(attest(cheat)), cheat.entry(row, col)))
        .isEqualTo(new EntryCheck.Wrong(row, col, bad[row * N + col], c.data()[row * N + col]));
    assertThat(Verifier.checkEntry(Verifier.decode(attest(cheat)), cheat.entry(0, 0)))
        .isEqualTo(new EntryCheck.Correct(0, 0, c.data()[0]));
  }

  @Test
  void revealsOfOtherEntriesOrWithForgedVectorsAreRefusedWithTheirReason() {
    SignedAttestation signed = attest(honest);
    EntryChallenge ch = challenge("h4", 8);
    EntryReveal good = honest.reveal(ch);
    EntryReveal other = honest.reveal(challenge("h5", 8));
    assertThat(reason(Verifier.verifyEntryReveal(signed, ch, other)))
        .isEqualTo(Reason.REVEAL_MISMATCH);
    assertThat(
            reason(
                Verifier.verifyEntryReveal(signed, ch, good.toBuilder().removeEntries(7).build())))
        .isEqualTo(Reason.REVEAL_MISMATCH);
    assertThat(reason(Verifier.verifyEntryReveal(signed, ch, good.toBuilder().setJobId(7).build())))
        .isEqualTo(Reason.REVEAL_MISMATCH);
    // A row of A that is not the committed one: the proof fails.
    RevealedEntry e = good.getEntries(2);
    byte[] forged = e.getLeftRow().getData().toByteArray();
    forged[0] ^= 0x40;
    RevealedEntry forgedEntry =
        e.toBuilder()
            .setLeftRow(e.getLeftRow().toBuilder().setData(ByteString.copyFrom(forged)))
            .build();
    Verdict v =
        Verifier.verifyEntryReveal(signed, ch, good.toBuilder().setEntries(2, forgedEntry).build());
    assertThat(reason(v)).isEqualTo(Reason.BAD_PROOF);
    assertThat(((Invalid) v).message()).contains("root of a");
    RevealedEntry shortColumn =
        e.toBuilder()
            .setRightColumn(
                e.getRightColumn().toBuilder().setData(ByteString.copyFrom(new byte[3])))
            .build();
    assertThat(
            reason(
                Verifier.verifyEntryReveal(
                    signed, ch, good.toBuilder().setEntries(2, shortColumn).build())))
        .isEqualTo(Reason.MALFORMED_ROW);
    RevealedEntry otherColumn =
        e.toBuilder()
            .setRightColumn(honest.entry(e.getRow(), (e.getCol() + 1) % N).getRightColumn())
            .build();
    assertThat(Verifier.checkEntry(Verifier.decode(signed), otherColumn))
        .isInstanceOf(EntryCheck.Unproven.class);
  }

  @Test
  void dataAttestationsMustCarryTheWorkloadsMatricesNotASeed() {
    Attestation base = Verifier.decode(attest(honest));
    assertThat(Verifier.checkAttestation(attest(honest)).isValid()).isTrue();
    assertThat(message(base.toBuilder().setSeed(ByteString.copyFrom(new byte[32])).build()))
        .contains("not a seed");
    assertThat(message(base.toBuilder().clearOutputs().build())).contains("1 outputs");
    assertThat(
            message(
                base.toBuilder()
                    .setOutputs(0, base.getOutputs(0).toBuilder().setRows(M + 1))
                    .build()))
        .contains("expected c (37 x 23 int32, by rows)");
    assertThat(
            message(
                base.toBuilder()
                    .setInputs(1, base.getInputs(1).toBuilder().setRows(K + 1))
                    .build()))
        .contains("a's columns must equal b's rows");
    assertThat(
            message(
                base.toBuilder()
                    .setInputs(
                        1,
                        base.getInputs(1).toBuilder()
                            .setLayout(io.peerz.attest.proto.MatrixLayout.MATRIX_LAYOUT_ROWS))
                    .build()))
        .contains("must be b (50 x 23 int8, by columns)");
    assertThat(
            message(
                Fixtures.attestation(new Workload(64), new byte[32], 1, new byte[32]).toBuilder()
                    .addAllOutputs(honest.outputs())
                    .build()))
        .contains("no committed matrices");
  }

  private static String message(Attestation att) {
    Verdict v = Verifier.checkAttestation(Attestations.sign(att, Fixtures.EXECUTOR));
    assertThat(reason(v)).isEqualTo(Reason.MALFORMED_ATTESTATION);
    return ((Invalid) v).message();
  }

  private static Reason reason(Verdict v) {
    assertThat(v).isInstanceOf(Invalid.class);
    return ((Invalid) v).reason();
  }
}
