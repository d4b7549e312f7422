package io.peerz.attest;

/**
 * The outcome of checking one revealed or disputed output entry: proven and equal to its dot
 * product, proven and different (the executor's fault), or not proven (the prover's fault).
 */
public sealed interface EntryCheck
    permits EntryCheck.Correct, EntryCheck.Wrong, EntryCheck.Unproven {

  /** The entry is committed and equals the recomputed dot product. */
  record Correct(int row, int col, int value) implements EntryCheck {}

  /** The entry is committed but differs from the dot product of its committed operands. */
  record Wrong(int row, int col, int claimed, int computed) implements EntryCheck {}

  /** A vector does not prove against its root, has the wrong length or index. */
  record Unproven(Verdict.Reason reason, String message) implements EntryCheck {}
}
