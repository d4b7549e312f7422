package io.peerz.gpu.executor;

/**
 * How a deliberately faulty executor cheats, for tests and demos: {@code skip-rows=F} leaves a
 * fraction F of each seeded pool job's rows zero; {@code corrupt-entry} adds 1 to one entry of each
 * gemm-int8 job's C, or to one activation of the first (hidden) layer of each mlp-int8 job, the
 * later layers run on it (caught by the buyer's full check and a dispute, or by a sampled entry);
 * {@code no-serve} never serves data outputs nor answers availability requests. Benchmarks are
 * always computed honestly.
 */
public record Faults(int skipRowsPpm, boolean corruptEntry, boolean noServe) {
  /** An honest executor. */
  public static final Faults NONE = new Faults(0, false, false);

  /** Whether any fault is on. */
  public boolean any() {
    return skipRowsPpm > 0 || corruptEntry || noServe;
  }

  /** e.g. "skips 10.0% of rows". */
  public String describe() {
    if (corruptEntry) {
      return "corrupts one entry of each data job's output";
    }
    if (noServe) {
      return "serves no outputs and answers no availability request";
    }
    return "skips " + skipRowsPpm / 10_000.0 + "% of rows of seeded jobs";
  }
}
