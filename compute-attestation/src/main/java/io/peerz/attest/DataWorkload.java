package io.peerz.attest;

import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.ElementType;
import io.peerz.attest.proto.MatrixLayout;
import io.peerz.ledger.Sha256;
import java.util.List;

/**
 * A workload on the buyer's own data: the job commits to its inputs by Merkle root and shape, the
 * executor commits to its outputs, and each output entry is a dot product of one committed row and
 * one committed column, so a sampled entry is recomputed from two proven vectors in O(inner
 * dimension). {@code gemm-int8}: C (m x n, int32, by rows) = A (m x k, int8, by rows) x B (k x n,
 * int8, by columns), exact for k up to {@link CpuGemm#MAX_INNER}. {@code mlp-int8}: the pool's
 * quantized model on the buyer's batch x (int8, by rows); its outputs are every layer's
 * accumulators and outputs, whose shapes depend on the model ({@link InferenceCheck}).
 */
public enum DataWorkload {
  /** C = A x B on the buyer's int8 matrices. */
  GEMM_INT8("gemm-int8"),
  /**
   * The pool's int8 model on the buyer's int8 batch x (docs/attestation.md "Workload mlp-int8").
   */
  MLP_INT8("mlp-int8");

  private final String workloadName;

  DataWorkload(String workloadName) {
    this.workloadName = workloadName;
  }

  /** The workload's name on chain, e.g. {@code gemm-int8}. */
  public String workloadName() {
    return workloadName;
  }

  /** The data workload of this name, or null when it names none (e.g. a seeded workload). */
  public static DataWorkload parse(String name) {
    for (DataWorkload w : values()) {
      if (w.workloadName.equals(name)) {
        return w;
      }
    }
    return null;
  }

  /** True when jobs run the pool's model (mlp-int8), whose shapes their outputs follow. */
  public boolean usesModel() {
    return this == MLP_INT8;
  }

  /** The inputs' names, in order: {@code a}, {@code b} for gemm-int8, {@code x} for mlp-int8. */
  public List<String> inputNames() {
    return this == MLP_INT8 ? List.of(InferenceCommitments.INPUT) : List.of("a", "b");
  }

  /** The shape input {@code name} is committed in (element type, layout), root and size unset. */
  public CommittedMatrix inputShape(String name, int rows, int cols) {
    return MatrixCommitment.shape(
        name,
        rows,
        cols,
        ElementType.ELEMENT_TYPE_INT8,
        this == GEMM_INT8 && name.equals("b")
            ? MatrixLayout.MATRIX_LAYOUT_COLUMNS
            : MatrixLayout.MATRIX_LAYOUT_ROWS);
  }

  /**
   * Null when {@code inputs} are what this workload takes (names and order, element types, layouts,
   * 32-byte roots, positive dimensions, A's columns equal to B's rows, the inner dimension within
   * {@link CpuGemm#MAX_INNER}), else why not.
   */
  public String checkInputs(List<CommittedMatrix> inputs) {
    List<String> names = inputNames();
    if (inputs.size() != names.size()) {
      return workloadName
          + " takes "
          + names.size()
          + " input"
          + (names.size() == 1 ? "" : "s")
          + " ("
          + String.join(", ", names)
          + "), got "
          + inputs.size();
    }
    for (int i = 0; i < names.size(); i++) {
      CommittedMatrix m = inputs.get(i);
      if (!m.getName().equals(names.get(i))) {
        return "input " + i + " is named '" + m.getName() + "', expected '" + names.get(i) + "'";
      }
      if (m.getRows() == 0 || m.getCols() == 0) {
        return "input " + m.getName() + " has a zero dimension";
      }
      CommittedMatrix want = inputShape(m.getName(), m.getRows(), m.getCols());
      if (m.getElementType() != want.getElementType() || m.getLayout() != want.getLayout()) {
        return "input " + m.getName() + " must be " + MatrixCommitment.describe(want);
      }
      if (m.getRoot().size() != Sha256.LENGTH) {
        return "input " + m.getName() + "'s root is " + m.getRoot().size() + " bytes, expected 32";
      }
    }
    if (this == MLP_INT8) {
      return null;
    }
    CommittedMatrix a = inputs.get(0);
    CommittedMatrix b = inputs.get(1);
    if (a.getCols() != b.getRows()) {
      return "a is "
          + Integer.toUnsignedLong(a.getRows())
          + " x "
          + Integer.toUnsignedLong(a.getCols())
          + " and b "
          + Integer.toUnsignedLong(b.getRows())
          + " x "
          + Integer.toUnsignedLong(b.getCols())
          + ": a's columns must equal b's rows";
    }
    if (Integer.toUnsignedLong(a.getCols()) > CpuGemm.MAX_INNER) {
      return "the inner dimension "
          + Integer.toUnsignedLong(a.getCols())
          + " exceeds "
          + CpuGemm.MAX_INNER
          + ", the largest whose int32 sums cannot overflow";
    }
    return null;
  }

  /**
   * The outputs' shapes for checked inputs, roots unset: {@code c}, m x n int32 by rows. mlp-int8's
   * depend on the model: {@link InferenceCheck#outputShapes}.
   */
  public List<CommittedMatrix> outputShapes(List<CommittedMatrix> inputs) {
    requireNoModel("outputShapes");
    return List.of(
        MatrixCommitment.shape(
            "c",
            inputs.get(0).getRows(),
            inputs.get(1).getCols(),
            ElementType.ELEMENT_TYPE_INT32,
            MatrixLayout.MATRIX_LAYOUT_ROWS));
  }

  /** Multiply-adds of one run: m x k x n (mlp-int8: {@link InferenceCheck#multiplyAdds}). */
  public long multiplyAdds(List<CommittedMatrix> inputs) {
    requireNoModel("multiplyAdds");
    return Math.multiplyExact(
        Math.multiplyExact(
            Integer.toUnsignedLong(inputs.get(0).getRows()),
            Integer.toUnsignedLong(inputs.get(0).getCols())),
        Integer.toUnsignedLong(inputs.get(1).getCols()));
  }

  /**
   * For output {@code output}'s entries: which input gives the row (left) and which the column
   * (right) of its dot product, as indexes into the job's inputs: A's row and B's column for C.
   */
  public int[] operands(String output) {
    return new int[] {0, 1};
  }

  private void requireNoModel(String what) {
    if (usesModel()) {
      throw new IllegalStateException(
          workloadName + "'s " + what + " depend on the pool's model: see InferenceCheck");
    }
  }

  @Override
  public String toString() {
    return workloadName;
  }
}
