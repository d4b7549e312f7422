package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.attest.Verdict.Invalid;
import io.peerz.attest.Verdict.Reason;
import io.peerz.attest.proto.SignedAttestation;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class VerifierPropertiesTest {
  private static final Workload W = new Workload(64);

  @Property(tries = 60)
  void anyRevealWithAWrongRowIsRejected(
      @ForAll @Size(32) byte[] seed,
      @ForAll long jobId,
      @ForAll @Size(32) byte[] blockHash,
      @ForAll @IntRange(min = 0, max = 15) int sampled,
      @ForAll @IntRange(min = 0, max = 63) int column,
      @ForAll int delta) {
    int d = delta == 0 ? 1 : delta;
    GemmInputs in = GemmInputs.generate(W, seed, jobId);
    int[] output = CpuGemm.multiply(in);
    Challenge ch = Challenge.derive(blockHash, jobId, W, 16);
    int row = ch.rows()[sampled];
    output[row * 64 + column] += d;

    // A cheater who commits to the wrong output: every proof holds, the recomputation does not.
    OutputCommitment committed = OutputCommitment.of(64, output);
    SignedAttestation att = Fixtures.signed(W, seed, jobId, committed.root());
    Verdict v = Verifier.verifyReveal(att, ch, committed.reveal(ch));
    assertThat(v).isInstanceOf(Invalid.class);
    assertThat(((Invalid) v).reason()).isEqualTo(Reason.WRONG_ROW);
    assertThat(((Invalid) v).message()).startsWith("row " + row + " column " + column + " ");

    // A cheater who committed to the right output and reveals a changed row: the proof fails.
    output[row * 64 + column] -= d;
    OutputCommitment honest = OutputCommitment.of(64, output);
    SignedAttestation good = Fixtures.signed(W, seed, jobId, honest.root());
    output[row * 64 + column] += d;
    OutputCommitment changedRows = OutputCommitment.of(64, output);
    v = Verifier.verifyReveal(good, ch, changedRows.reveal(ch));
    assertThat(v).isInstanceOf(Invalid.class);
    assertThat(((Invalid) v).reason()).isEqualTo(Reason.BAD_PROOF);
  }
}
