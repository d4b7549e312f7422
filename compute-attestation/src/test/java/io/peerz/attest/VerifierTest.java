package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.attest.Verdict.Invalid;
import io.peerz.attest.Verdict.Reason;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.Reveal;
import io.peerz.attest.proto.RevealedRow;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.ledger.DeterministicProto;
import io.peerz.ledger.Ed25519KeyPair;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VerifierTest {
  private static final Workload W = new Workload(320);
  private static GemmInputs inputs;
  private static int[] honest;
  private static OutputCommitment commitment;
  private static SignedAttestation signed;

  @BeforeAll
  static void runHonestJob() {
    inputs = GemmInputs.generate(W, Fixtures.SEED, Fixtures.JOB_ID);
    honest = CpuGemm.multiply(inputs);
    commitment = OutputCommitment.of(W.n(), honest);
    signed = Fixtures.signed(W, Fixtures.SEED, Fixtures.JOB_ID, commitment.root());
  }

  private static Challenge challenge(String block) {
    return Challenge.derive(Fixtures.blockHash(block), Fixtures.JOB_ID, W, 16);
  }

  private static Reason reason(Verdict v) {
    assertThat(v).isInstanceOf(Invalid.class);
    return ((Invalid) v).reason();
  }

  @Test
  void honestRevealVerifies() {
    Challenge ch = challenge("block 105");
    Verdict v = Verifier.verifyReveal(signed, ch, commitment.reveal(ch));
    assertThat(v).isInstanceOf(Verdict.Valid.class);
    assertThat(((Verdict.Valid) v).attestation().getWorkedMillis()).isEqualTo(5_250);
    assertThat(Verifier.checkAttestation(signed).isValid()).isTrue();
  }

  @Test
  void executorSkippingTenPercentOfRowsIsCaughtWhenASkippedRowIsSampled() {
    int[] faulty = CpuGemm.computeFaulty(inputs, 100_000, 3);
    int[] skipped = CpuGemm.skippedRows(W.n(), 100_000, 3);
    assertThat(skipped).hasSize(32);
    OutputCommitment cheat = OutputCommitment.of(W.n(), faulty);
    SignedAttestation att = Fixtures.signed(W, Fixtures.SEED, Fixtures.JOB_ID, cheat.root());
    Challenge ch = challenge("block 105");
    // Precondition of this fixed challenge: it samples a row the cheater skipped.
    assertThat(Arrays.stream(ch.rows()).filter(r -> Arrays.binarySearch(skipped, r) >= 0))
        .isNotEmpty();
    Verdict v = Verifier.verifyReveal(att, ch, cheat.reveal(ch));
    assertThat(reason(v)).isEqualTo(Reason.WRONG_ROW);
    assertThat(((Invalid) v).message()).contains("is 0, A x B gives");
  }

  @Test
  void cheaterEscapesOnlyAChallengeThatMissesEverySkippedRow() {
    // The (1 - f)^k escape of docs/attestation.md: count over 200 block hashes, k = 16, f = 0.1.
    int[] faulty = CpuGemm.computeFaulty(inputs, 100_000, 3);
    int[] skipped = CpuGemm.skippedRows(W.n(), 100_000, 3);
    OutputCommitment cheat = OutputCommitment.of(W.n(), faulty);
    SignedAttestation att = Fixtures.signed(W, Fixtures.SEED, Fixtures.JOB_ID, cheat.root());
    int escaped = 0;
    for (int b = 0; b < 200; b++) {
      Challenge ch = challenge("block " + b);
      boolean hitsSkipped =
          Arrays.stream(ch.rows()).anyMatch(r -> Arrays.binarySearch(skipped, r) >= 0);
      if (!hitsSkipped) {
        escaped++;
        // Row checks alone cannot see rows they do not sample; only the reveal's rows are checked.
        assertThat(Verifier.verifyReveal(att, ch, cheat.reveal(ch)).isValid()).isTrue();
      }
    }
    // Expected 200 x 0.9^16 = 37 (hypergeometric: 35); deterministic for these block hashes.
    assertThat(escaped).isBetween(15, 60);
  }

  @Test
  void tamperedSignatureOrBodyIsRejected() {
    Challenge ch = challenge("block 105");
    Reveal reveal = commitment.reveal(ch);
    byte[] sig = signed.getSignature().toByteArray();
    sig[10] ^= 1;
    SignedAttestation badSig = signed.toBuilder().setSignature(ByteString.copyFrom(sig)).build();
    assertThat(reason(Verifier.verifyReveal(badSig, ch, reveal))).isEqualTo(Reason.BAD_SIGNATURE);

    Attestation longer =
        Fixtures.attestation(W, Fixtures.SEED, Fixtures.JOB_ID, commitment.root()).toBuilder()
            .setWorkedMillis(500_000)
            .build();
    SignedAttestation inflated =
        signed.toBuilder()
            .setAttestation(ByteString.copyFrom(DeterministicProto.encode(longer)))
            .build();
    assertThat(reason(Verifier.verifyReveal(inflated, ch, reveal))).isEqualTo(Reason.BAD_SIGNATURE);

    Ed25519KeyPair other = Ed25519KeyPair.fromSeed(Fixtures.bytes(32, 99));
    SignedAttestation byOther =
        signed.toBuilder()
            .setSignature(ByteString.copyFrom(other.sign(signed.getAttestation().toByteArray())))
            .build();
    assertThat(reason(Verifier.verifyReveal(byOther, ch, reveal))).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(reason(Verifier.checkAttestation(SignedAttestation.getDefaultInstance())))
        .isEqualTo(Reason.MALFORMED_ATTESTATION);
  }

  @Test
  void nonCanonicalOrMalformedAttestationsAreRejected() {
    // A duplicated field still parses, but is not the deterministic encoding.
    byte[] body = signed.getAttestation().toByteArray();
    byte[] twice = new byte[body.length + 2];
    System.arraycopy(body, 0, twice, 0, body.length);
    twice[body.length] = 0x08; // field 1 (job_id), varint
    twice[body.length + 1] = 42;
    SignedAttestation dup =
        SignedAttestation.newBuilder()
            .setAttestation(ByteString.copyFrom(twice))
            .setSignature(ByteString.copyFrom(Fixtures.EXECUTOR.sign(twice)))
            .build();
    assertThat(((Invalid) Verifier.checkAttestation(dup)).message()).contains("deterministic");

    Attestation base = Fixtures.attestation(W, Fixtures.SEED, Fixtures.JOB_ID, commitment.root());
    for (Attestation bad :
        new Attestation[] {
          base.toBuilder().setSeed(ByteString.copyFrom(new byte[31])).build(),
          base.toBuilder().setOutputRoot(ByteString.EMPTY).build(),
          base.toBuilder().setWorkload("int8-gemm-65").build(),
          base.toBuilder().setFinishedHeight(99).build()
        }) {
      Verdict v = Verifier.checkAttestation(Attestations.sign(bad, Fixtures.EXECUTOR));
      assertThat(reason(v)).isEqualTo(Reason.MALFORMED_ATTESTATION);
    }
    SignedAttestation garbage =
        SignedAttestation.newBuilder().setAttestation(ByteString.copyFrom(new byte[] {-1})).build();
    assertThat(reason(Verifier.checkAttestation(garbage))).isEqualTo(Reason.MALFORMED_ATTESTATION);
  }

  @Test
  void revealThatDoesNotAnswerTheChallengeIsRejected() {
    Challenge ch = challenge("block 105");
    Reveal reveal = commitment.reveal(ch);
    Challenge otherJob = Challenge.derive(Fixtures.blockHash("block 105"), 43, W, 16);
    assertThat(reason(Verifier.verifyReveal(signed, otherJob, reveal)))
        .isEqualTo(Reason.CHALLENGE_MISMATCH);
    Challenge otherSize =
        Challenge.derive(Fixtures.blockHash("block 105"), Fixtures.JOB_ID, new Workload(64), 16);
    assertThat(reason(Verifier.verifyReveal(signed, otherSize, reveal)))
        .isEqualTo(Reason.CHALLENGE_MISMATCH);
    assertThat(reason(Verifier.verifyReveal(signed, ch, reveal.toBuilder().setJobId(7).build())))
        .isEqualTo(Reason.REVEAL_MISMATCH);
    assertThat(reason(Verifier.verifyReveal(signed, ch, reveal.toBuilder().removeRows(15).build())))
        .isEqualTo(Reason.REVEAL_MISMATCH);
    // The rows of another challenge, all with valid proofs, do not answer this one.
    Reveal otherRows = commitment.reveal(challenge("block 106"));
    assertThat(reason(Verifier.verifyReveal(signed, ch, otherRows)))
        .isEqualTo(Reason.REVEAL_MISMATCH);
  }

  @Test
  void revealedRowThatIsNotCommittedIsRejected() {
    Challenge ch = challenge("block 105");
    Reveal reveal = commitment.reveal(ch);
    RevealedRow row = reveal.getRows(3);
    byte[] bytes = row.getRow().toByteArray();
    bytes[100] ^= 1;
    Reveal changed =
        reveal.toBuilder().setRows(3, row.toBuilder().setRow(ByteString.copyFrom(bytes))).build();
    assertThat(reason(Verifier.verifyReveal(signed, ch, changed))).isEqualTo(Reason.BAD_PROOF);
    Reveal shortRow =
        reveal.toBuilder()
            .setRows(3, row.toBuilder().setRow(row.getRow().substring(0, 4 * 320 - 4)))
            .build();
    assertThat(reason(Verifier.verifyReveal(signed, ch, shortRow))).isEqualTo(Reason.MALFORMED_ROW);
    Reveal noAunts = reveal.toBuilder().setRows(3, row.toBuilder().clearAunts()).build();
    assertThat(reason(Verifier.verifyReveal(signed, ch, noAunts))).isEqualTo(Reason.BAD_PROOF);
  }

  @Test
  void recomputedRowsEqualTheFullProduct() {
    int[] rows = {0, 5, 319};
    int[][] got = CpuGemm.seededRows(W, Fixtures.SEED, Fixtures.JOB_ID, rows);
    for (int s = 0; s < rows.length; s++) {
      assertThat(got[s]).isEqualTo(Arrays.copyOfRange(honest, rows[s] * 320, rows[s] * 320 + 320));
    }
  }
}
