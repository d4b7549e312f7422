package io.peerz.attest;

import io.peerz.attest.proto.Reveal;
import io.peerz.attest.proto.SignedAttestation;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Checking one attestation by its reveal (k sampled rows, O(k n^2)) against redoing the whole
 * product (O(n^3)) and against Freivalds' check of a whole output (O(n^2) per round). Run through
 * {@link AttestationBenchmarkMain}, never from mvn test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class AttestationBenchmark {
  @Param("1024")
  int n;

  @Param("16")
  int k;

  private GemmInputs inputs;
  private int[] output;
  private SignedAttestation signed;
  private Challenge challenge;
  private Reveal reveal;

  /** Runs the honest job once and prepares its attestation, challenge and reveal. */
  @Setup(Level.Trial)
  public void setUp() {
    Workload w = new Workload(n);
    inputs = GemmInputs.generate(w, Fixtures.SEED, Fixtures.JOB_ID);
    output = CpuGemm.multiply(inputs);
    OutputCommitment commitment = OutputCommitment.of(n, output);
    signed = Fixtures.signed(w, Fixtures.SEED, Fixtures.JOB_ID, commitment.root());
    challenge = Challenge.derive(Fixtures.blockHash("bench"), Fixtures.JOB_ID, w, k);
    reveal = commitment.reveal(challenge);
    if (!Verifier.verifyReveal(signed, challenge, reveal).isValid()) {
      throw new IllegalStateException("honest reveal does not verify");
    }
  }

  /** Everything a validator does for one reveal: signature, proofs, B and k rows of A, k rows. */
  @Benchmark
  public Verdict verifyReveal() {
    return Verifier.verifyReveal(signed, challenge, reveal);
  }

  /** Recomputing the whole product on the CPU from already generated inputs. */
  @Benchmark
  public int[] recomputeGemm() {
    return CpuGemm.multiply(inputs);
  }

  /** Regenerating A and B from the seed, as a verifier without them must first do. */
  @Benchmark
  public GemmInputs regenerateInputs() {
    return GemmInputs.generate(inputs.workload(), Fixtures.SEED, Fixtures.JOB_ID);
  }

  /** One round of Freivalds' check over the whole output, inputs already generated. */
  @Benchmark
  public boolean freivaldsOneRound() {
    return Freivalds.verify(inputs, output, challenge.freivaldsSeed(), 1);
  }
}
