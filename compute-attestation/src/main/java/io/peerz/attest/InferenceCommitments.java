package io.peerz.attest;

import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.EntryReveal;
import io.peerz.attest.proto.PostedRows;
import io.peerz.attest.proto.RevealedEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The commitments of one mlp-int8 job: the buyer's input x (batch x features, int8) by rows, and
 * for every layer l its accumulators ({@code layers.<l>.accumulators}, batch x out, int32) and its
 * outputs ({@code layers.<l>.outputs}, batch x out, int8) by rows; and the proofs built from them
 * and the model's commitment: one activation with everything the chain recomputes it from (a reveal
 * or a dispute), and rows of an output (an availability answer).
 */
public final class InferenceCommitments {
  /** The name of the job's one input. */
  public static final String INPUT = "x";

  private final ModelCommitment model;
  private final MatrixCommitment x;
  private final List<MatrixCommitment> accumulators;
  private final List<MatrixCommitment> outputs;

  private InferenceCommitments(
      ModelCommitment model,
      MatrixCommitment x,
      List<MatrixCommitment> accumulators,
      List<MatrixCommitment> outputs) {
    this.model = model;
    this.x = x;
    this.accumulators = accumulators;
    this.outputs = outputs;
  }

  /**
   * Commits to a run of {@code model} on {@code x} whose layers gave {@code results} (arrays kept
   * by reference).
   */
  public static InferenceCommitments of(
      ModelCommitment model, Int8Matrix x, List<QuantizedLayer.Result> results) {
    List<MatrixCommitment> acc = new ArrayList<>(results.size());
    List<MatrixCommitment> out = new ArrayList<>(results.size());
    for (int l = 0; l < results.size(); l++) {
      QuantizedLayer.Result r = results.get(l);
      if (r.rows() != x.rows()) {
        throw new IllegalArgumentException(
            "layer " + l + " has " + r.rows() + " rows, the input " + x.rows());
      }
      acc.add(
          MatrixCommitment.int32Rows(accumulatorsName(l), r.rows(), r.cols(), r.accumulators()));
      out.add(MatrixCommitment.int8Rows(outputsName(l), r.rows(), r.cols(), r.outputs()));
    }
    return new InferenceCommitments(model, input(x), acc, out);
  }

  /** x committed by rows, as the job's input. */
  public static MatrixCommitment input(Int8Matrix x) {
    return MatrixCommitment.int8Rows(INPUT, x.rows(), x.cols(), x.data());
  }

  /** {@code layers.<l>.accumulators}. */
  public static String accumulatorsName(int layer) {
    return "layers." + layer + ".accumulators";
  }

  /** {@code layers.<l>.outputs}. */
  public static String outputsName(int layer) {
    return "layers." + layer + ".outputs";
  }

  /** The job's inputs as it commits to them: x. */
  public List<CommittedMatrix> inputs() {
    return List.of(x.committed());
  }

  /** The outputs as the executor commits to them: each layer's accumulators then outputs. */
  public List<CommittedMatrix> outputs() {
    List<CommittedMatrix> all = new ArrayList<>(2 * outputs.size());
    for (int l = 0; l < outputs.size(); l++) {
      all.add(accumulators.get(l).committed());
      all.add(outputs.get(l).committed());
    }
    return all;
  }

  /**
   * Activation [row][col] of layer {@code layer} with every vector the chain recomputes it from.
   */
  public RevealedEntry entry(int layer, int row, int col) {
    String p = "layers." + layer + ".";
    int channel =
        model.committed().getTensorsList().stream()
                    .filter(t -> t.getName().equals(p + "multiplier"))
                    .findFirst()
                    .orElseThrow()
                    .getRows()
                == 1
            ? 0
            : col;
    return RevealedEntry.newBuilder()
        .setOutput(outputsName(layer))
        .setLayer(layer)
        .setRow(row)
        .setCol(col)
        .setOutputRow(outputs.get(layer).prove(row))
        .setAccumulatorRow(accumulators.get(layer).prove(row))
        .setLeftRow(layer == 0 ? x.prove(row) : outputs.get(layer - 1).prove(row))
        .setRightColumn(model.prove(p + "weight", col))
        .setBias(model.prove(p + "bias", col))
        .setMultiplier(model.prove(p + "multiplier", channel))
        .setShift(model.prove(p + "shift", channel))
        .build();
  }

  /**
   * The reveal answering {@code challenge}, drawn over {@link InferenceCheck#challengeShape}: its
   * activations in its order.
   */
  public EntryReveal reveal(EntryChallenge challenge) {
    List<CommittedMatrix> committed = outputs();
    EntryReveal.Builder r = EntryReveal.newBuilder().setJobId(challenge.jobId());
    int[] rows = challenge.rows();
    int[] cols = challenge.cols();
    for (int s = 0; s < rows.length; s++) {
      int[] lc = InferenceCheck.layerColumn(committed, cols[s]);
      r.addEntries(entry(lc[0], rows[s], lc[1]));
    }
    return r.build();
  }

  /** Rows of output {@code name} with their proofs, answering an availability request. */
  public PostedRows rows(long jobId, String name, List<Integer> rows) {
    MatrixCommitment m = null;
    for (int l = 0; l < outputs.size(); l++) {
      if (accumulators.get(l).committed().getName().equals(name)) {
        m = accumulators.get(l);
      } else if (outputs.get(l).committed().getName().equals(name)) {
        m = outputs.get(l);
      }
    }
    if (m == null) {
      throw new IllegalArgumentException("the job has no output named " + name);
    }
    PostedRows.Builder p = PostedRows.newBuilder().setJobId(jobId).setOutput(name);
    for (int row : rows) {
      p.addRows(m.prove(row));
    }
    return p.build();
  }
}
