package io.peerz.attest;

import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.EntryReveal;
import io.peerz.attest.proto.SignedAttestation;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Data jobs at sizes n x n x n: the executor's product (CpuGemm) and commitment of C against the
 * chain's verification of one job (a 16-entry reveal, Verifier.verifyEntryReveal), and the buyer's
 * Freivalds check (2 rounds) against recomputing C. Prints one markdown row per size. Not a test:
 * run it on a quiet machine (docs/BENCHMARKS.md):
 *
 * <pre>java -cp ... io.peerz.attest.DataJobBenchmarkMain 1024 2048 4096 8192</pre>
 */
public final class DataJobBenchmarkMain {
  private DataJobBenchmarkMain() {}

  public static void main(String[] args) {
    int[] sizes =
        args.length == 0
            ? new int[] {1024, 2048, 4096}
            : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    System.out.println(
        "| n | executor product (ms) | commit C (ms) | chain verify, 16 entries (ms) | product /"
            + " verify | buyer Freivalds, 2 rounds (ms) | recompute / Freivalds |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
    for (int n : sizes) {
      row(n);
    }
  }

  private static void row(int n) {
    SplittableRandom rnd = new SplittableRandom(n);
    byte[] a = new byte[n * n];
    byte[] b = new byte[n * n];
    rnd.nextBytes(a);
    rnd.nextBytes(b);
    // Warm the JIT on a small product first.
    CpuGemm.multiply(256, 256, 256, new byte[256 * 256], new byte[256 * 256]);
    long t0 = System.nanoTime();
    int[] c = CpuGemm.multiply(n, n, n, a, b);
    double product = ms(t0);
    Int8Matrix am = new Int8Matrix(n, n, a);
    Int8Matrix bm = new Int8Matrix(n, n, b);
    Int32Matrix cm = new Int32Matrix(n, n, c);
    t0 = System.nanoTime();
    GemmCommitments g = GemmCommitments.of(am, bm, cm);
    double commit = ms(t0);
    Attestation att =
        Fixtures.attestation(new Workload(64), new byte[32], 1, new byte[32]).toBuilder()
            .setWorkload("gemm-int8")
            .clearSeed()
            .clearOutputRoot()
            .addAllInputs(g.inputs())
            .addAllOutputs(g.outputs())
            .build();
    SignedAttestation signed = Attestations.sign(att, Fixtures.EXECUTOR);
    double verify = Double.MAX_VALUE;
    for (int rep = 0; rep < 20; rep++) {
      EntryChallenge ch =
          EntryChallenge.derive(Fixtures.blockHash("b" + rep), 1, g.outputs().get(0), 16);
      EntryReveal reveal = g.reveal(ch);
      long v0 = System.nanoTime();
      Verdict v = Verifier.verifyEntryReveal(signed, ch, reveal);
      verify = Math.min(verify, ms(v0));
      if (!v.isValid()) {
        throw new AssertionError(v.toString());
      }
    }
    double freivalds = Double.MAX_VALUE;
    for (int rep = 0; rep < 3; rep++) {
      long f0 = System.nanoTime();
      if (Freivalds.firstWrongEntry(am, bm, cm, Fixtures.blockHash("f" + rep), 2) != null) {
        throw new AssertionError("an honest C failed Freivalds' check");
      }
      freivalds = Math.min(freivalds, ms(f0));
    }
    System.out.printf(
        Locale.ROOT,
        "| %d | %.0f | %.0f | %.2f | %.0f | %.0f | %.0f |%n",
        n,
        product,
        commit,
        verify,
        product / verify,
        freivalds,
        product / freivalds);
  }

  private static double ms(long from) {
    return (System.nanoTime() - from) / 1e6;
  }
}
