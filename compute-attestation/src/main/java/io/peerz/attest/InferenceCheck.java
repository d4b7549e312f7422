package io.peerz.attest;

import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.attest.proto.ElementType;
import io.peerz.attest.proto.LayerScalars;
import io.peerz.attest.proto.MatrixLayout;
import io.peerz.attest.proto.MatrixVector;
import io.peerz.attest.proto.RevealedEntry;
import io.peerz.ledger.Sha256;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The checks of mlp-int8 jobs (docs/attestation.md "Checking inference"): the shapes a job's input
 * and outputs must have for the pool's model, the virtual matrix of all activations a challenge
 * samples, one revealed or disputed activation recomputed exactly from its committed input row,
 * weight column, bias, multiplier and shift (what every validator runs, O(in) per activation), and
 * the buyer's full check of every layer with Freivalds and every requantization entry by entry.
 */
public final class InferenceCheck {
  /** The name of the virtual batch x (sum of the layers' widths) matrix challenges sample. */
  public static final String ACTIVATIONS = "activations";

  private InferenceCheck() {}

  /**
   * Null when {@code x} can be the input of {@code model}: int8 by rows, a 32-byte root, at least
   * one row, and as many columns as layer 0 takes; else why not.
   */
  public static String checkInput(CommittedModel model, CommittedMatrix x) {
    if (!x.getName().equals(InferenceCommitments.INPUT)) {
      return "an mlp-int8 job takes one input named x, got '" + x.getName() + "'";
    }
    if (x.getElementType() != ElementType.ELEMENT_TYPE_INT8
        || x.getLayout() != MatrixLayout.MATRIX_LAYOUT_ROWS) {
      return "x must be int8 committed by rows";
    }
    if (x.getRoot().size() != Sha256.LENGTH) {
      return "x's root is " + x.getRoot().size() + " bytes, expected 32";
    }
    long features = Integer.toUnsignedLong(tensor(model, 0, "weight").getRows());
    if (x.getRows() == 0 || Integer.toUnsignedLong(x.getCols()) != features) {
      return "x is "
          + Integer.toUnsignedLong(x.getRows())
          + " x "
          + Integer.toUnsignedLong(x.getCols())
          + " but the pool's model takes rows of "
          + features
          + " features";
    }
    return null;
  }

  /** The outputs a job on {@code x} commits to, roots unset: per layer accumulators, outputs. */
  public static List<CommittedMatrix> outputShapes(CommittedModel model, CommittedMatrix x) {
    List<CommittedMatrix> out = new ArrayList<>();
    for (int l = 0; l < model.getLayersCount(); l++) {
      int width = tensor(model, l, "weight").getCols();
      out.add(
          MatrixCommitment.shape(
              InferenceCommitments.accumulatorsName(l),
              x.getRows(),
              width,
              ElementType.ELEMENT_TYPE_INT32,
              MatrixLayout.MATRIX_LAYOUT_ROWS));
      out.add(
          MatrixCommitment.shape(
              InferenceCommitments.outputsName(l),
              x.getRows(),
              width,
              ElementType.ELEMENT_TYPE_INT8,
              MatrixLayout.MATRIX_LAYOUT_ROWS));
    }
    return out;
  }

  /**
   * Null when {@code outputs} have the structure of an mlp-int8 job's on {@code x} whatever the
   * model (per layer l, {@code layers.<l>.accumulators} int32 then {@code layers.<l>.outputs} int8,
   * both by rows, x's rows, equal widths, 32-byte roots), else why not. The widths are the model's
   * to fix: compare with {@link #outputShapes}.
   */
  public static String checkOutputs(CommittedMatrix x, List<CommittedMatrix> outputs) {
    if (outputs.isEmpty() || outputs.size() % 2 != 0) {
      return "an mlp-int8 job commits two outputs per layer, got " + outputs.size();
    }
    for (int i = 0; i < outputs.size(); i++) {
      CommittedMatrix o = outputs.get(i);
      int l = i / 2;
      boolean acc = i % 2 == 0;
      String name =
          acc ? InferenceCommitments.accumulatorsName(l) : InferenceCommitments.outputsName(l);
      ElementType type = acc ? ElementType.ELEMENT_TYPE_INT32 : ElementType.ELEMENT_TYPE_INT8;
      if (!o.getName().equals(name)
          || o.getElementType() != type
          || o.getLayout() != MatrixLayout.MATRIX_LAYOUT_ROWS
          || o.getRows() != x.getRows()
          || o.getCols() == 0
          || (!acc && o.getCols() != outputs.get(i - 1).getCols())) {
        return "output "
            + i
            + " is "
            + MatrixCommitment.describe(o)
            + ", expected "
            + name
            + " ("
            + Integer.toUnsignedLong(x.getRows())
            + " rows, "
            + (acc ? "int32" : "int8")
            + ", by rows)";
      }
      if (o.getRoot().size() != Sha256.LENGTH) {
        return "output " + o.getName() + "'s root is " + o.getRoot().size() + " bytes";
      }
    }
    return null;
  }

  /** Multiply-adds of one run of {@code model} on {@code x}: rows x sum of in x out per layer. */
  public static long multiplyAdds(CommittedModel model, CommittedMatrix x) {
    long perRow = 0;
    for (int l = 0; l < model.getLayersCount(); l++) {
      CommittedMatrix w = tensor(model, l, "weight");
      perRow =
          Math.addExact(
              perRow,
              Math.multiplyExact(
                  Integer.toUnsignedLong(w.getRows()), Integer.toUnsignedLong(w.getCols())));
    }
    return Math.multiplyExact(perRow, Integer.toUnsignedLong(x.getRows()));
  }

  /**
   * The matrix a challenge samples: batch rows by the sum of every layer's width, column c being
   * layer l's column c minus the widths before it, so every activation of every layer is equally
   * likely.
   */
  public static CommittedMatrix challengeShape(List<CommittedMatrix> outputs) {
    long cols = 0;
    for (int l = 0; 2 * l < outputs.size(); l++) {
      cols += Integer.toUnsignedLong(outputs.get(2 * l + 1).getCols());
    }
    return MatrixCommitment.shape(
        ACTIVATIONS,
        outputs.get(1).getRows(),
        (int) Math.min(cols, Integer.MAX_VALUE),
        ElementType.ELEMENT_TYPE_INT8,
        MatrixLayout.MATRIX_LAYOUT_ROWS);
  }

  /** {layer, column within the layer} of column {@code column} of {@link #challengeShape}. */
  public static int[] layerColumn(List<CommittedMatrix> outputs, int column) {
    int c = column;
    for (int l = 0; 2 * l < outputs.size(); l++) {
      int width = outputs.get(2 * l + 1).getCols();
      if (c < width) {
        return new int[] {l, c};
      }
      c -= width;
    }
    throw new IllegalArgumentException("column " + column + " is beyond every layer");
  }

  /**
   * Checks one activation of a job: the entry must name layer l's outputs, carry that layer's
   * output and accumulator rows, its input row (x's for layer 0, layer l-1's outputs after), its
   * weight column, bias and (per tensor or per channel) multiplier and shift, each at the entry's
   * index and proven against the job's committed matrices or the pool's model; then the accumulator
   * is recomputed exactly and the output requantized from it. A committed accumulator or output
   * that differs is {@link EntryCheck.Wrong} (its claimed and computed values); the accumulator is
   * compared first.
   */
  public static EntryCheck checkEntry(
      CommittedModel model, CommittedMatrix x, List<CommittedMatrix> outputs, RevealedEntry e) {
    long layers = model.getLayersCount();
    long l = Integer.toUnsignedLong(e.getLayer());
    if (l >= layers || outputs.size() != 2 * layers) {
      return unproven(
          Verdict.Reason.REVEAL_MISMATCH, "layer " + l + " is outside 0.." + (layers - 1));
    }
    int layer = (int) l;
    CommittedMatrix acc = outputs.get(2 * layer);
    CommittedMatrix out = outputs.get(2 * layer + 1);
    if (!e.getOutput().equals(out.getName())) {
      return unproven(
          Verdict.Reason.REVEAL_MISMATCH,
          "an activation of layer "
              + layer
              + " names output '"
              + e.getOutput()
              + "', expected '"
              + out.getName()
              + "'");
    }
    long row = Integer.toUnsignedLong(e.getRow());
    long col = Integer.toUnsignedLong(e.getCol());
    if (row >= Integer.toUnsignedLong(out.getRows())
        || col >= Integer.toUnsignedLong(out.getCols())) {
      return unproven(
          Verdict.Reason.REVEAL_MISMATCH,
          String.format("entry [%d][%d] is outside %s", row, col, MatrixCommitment.describe(out)));
    }
    String p = "layers." + layer + ".";
    CommittedMatrix multiplier = tensor(model, layer, "multiplier");
    long channel = multiplier.getRows() == 1 ? 0 : col;
    CommittedMatrix input = layer == 0 ? x : outputs.get(2 * layer - 1);
    Object[][] vectors = {
      {out, e.getOutputRow(), row},
      {acc, e.getAccumulatorRow(), row},
      {input, e.getLeftRow(), row},
      {tensor(model, layer, "weight"), e.getRightColumn(), col},
      {tensor(model, layer, "bias"), e.getBias(), col},
      {multiplier, e.getMultiplier(), channel},
      {tensor(model, layer, "shift"), e.getShift(), channel},
    };
    for (Object[] v : vectors) {
      CommittedMatrix m = (CommittedMatrix) v[0];
      MatrixVector vec = (MatrixVector) v[1];
      if (Integer.toUnsignedLong(vec.getIndex()) != (long) v[2]) {
        return unproven(
            Verdict.Reason.REVEAL_MISMATCH,
            "activation "
                + p
                + "["
                + row
                + "]["
                + col
                + "] carries vector "
                + Integer.toUnsignedLong(vec.getIndex())
                + " of "
                + m.getName()
                + ", expected "
                + v[2]);
      }
      String bad = MatrixCommitment.check(m, vec);
      if (bad != null) {
        boolean length = vec.getData().size() != MatrixCommitment.vectorBytes(m);
        return unproven(length ? Verdict.Reason.MALFORMED_ROW : Verdict.Reason.BAD_PROOF, bad);
      }
    }
    LayerScalars s = model.getLayers(layer);
    long computed = accumulator(s, e);
    int claimedAcc =
        MatrixCommitment.int32At(e.getAccumulatorRow().getData().toByteArray(), (int) col);
    if (computed != claimedAcc) {
      return new EntryCheck.Wrong((int) row, (int) col, claimedAcc, saturate(computed));
    }
    int m = MatrixCommitment.int32At(e.getMultiplier().getData().toByteArray(), 0);
    int sh = MatrixCommitment.int32At(e.getShift().getData().toByteArray(), 0);
    byte y;
    try {
      y =
          Requantization.requantize(
              claimedAcc, m, sh, s.getOutputZeroPoint(), Activation.ofCode(s.getActivation()));
    } catch (IllegalArgumentException | ArithmeticException bad) {
      return unproven(
          Verdict.Reason.MALFORMED_ROW,
          "the pool's model is invalid at "
              + p
              + " channel "
              + col
              + " (the executor should have refused it): "
              + bad.getMessage());
    }
    byte claimedOut = e.getOutputRow().getData().byteAt((int) col);
    if (y != claimedOut) {
      return new EntryCheck.Wrong((int) row, (int) col, claimedOut, y);
    }
    return new EntryCheck.Correct((int) row, (int) col, claimedOut);
  }

  /**
   * What a wrong activation (from {@link #checkEntry} on the same entry) is, for a log or an error:
   * "layers.1.accumulators[3][7] is 4711, its input row times weight column 7 plus bias gives 4712"
   * or "layers.1.outputs[3][7] is 12, requantizing its accumulator 4711 gives 13".
   */
  public static String explain(CommittedModel model, RevealedEntry e, EntryCheck.Wrong w) {
    String p = "layers." + e.getLayer() + ".";
    int claimedAcc =
        MatrixCommitment.int32At(e.getAccumulatorRow().getData().toByteArray(), w.col());
    if (accumulator(model.getLayers(e.getLayer()), e) != claimedAcc) {
      return String.format(
          "%saccumulators[%d][%d] is %d, its input row times weight column %d plus bias gives %d",
          p, w.row(), w.col(), w.claimed(), w.col(), w.computed());
    }
    return String.format(
        "%soutputs[%d][%d] is %d, requantizing its accumulator %d gives %d",
        p, w.row(), w.col(), w.claimed(), claimedAcc, w.computed());
  }

  /** bias + sum (input - zx) x weight over a checked entry's vectors, exactly. */
  private static long accumulator(LayerScalars s, RevealedEntry e) {
    byte[] in = e.getLeftRow().getData().toByteArray();
    byte[] w = e.getRightColumn().getData().toByteArray();
    long acc = MatrixCommitment.int32At(e.getBias().getData().toByteArray(), 0);
    for (int k = 0; k < in.length; k++) {
      acc += (long) (in[k] - s.getInputZeroPoint()) * w[k];
    }
    return acc;
  }

  /** The outcome of the buyer's full check. */
  public sealed interface LayersVerdict permits AllCorrect, WrongActivation {}

  /** Every layer passed Freivalds and every output entry its requantization. */
  public record AllCorrect(int layers) implements LayersVerdict {}

  /**
   * A committed value that is surely wrong: {@code quantity} is "accumulators" or "outputs" of
   * {@code layer} at [row][col]; claimed as committed, computed from the committed layer input.
   */
  public record WrongActivation(
      int layer, int row, int col, String quantity, long claimed, long computed)
      implements LayersVerdict {}

  /**
   * The buyer's full check of a job's committed layers against the model and input: per layer,
   * Freivalds on the raw product (accumulators minus the folded bias against input x weights, in
   * O(rounds (rows x (in + out) + in x out))), then every output entry requantized from its
   * accumulator. Each layer's input is the previous layer's committed output, so every layer is
   * checked on its own. A failing Freivalds row is recomputed exactly to name the wrong column.
   */
  public static LayersVerdict verifyLayers(
      QuantizedMlp model,
      Int8Matrix x,
      List<QuantizedLayer.Result> claimed,
      byte[] seed,
      int rounds) {
    if (claimed.size() != model.layers().size() || x.cols() != model.inputFeatures()) {
      throw new IllegalArgumentException(
          claimed.size() + " layers of results for a model of " + model.layers().size());
    }
    byte[] input = x.data();
    for (int l = 0; l < claimed.size(); l++) {
      QuantizedLayer layer = model.layers().get(l);
      QuantizedLayer.Result r = claimed.get(l);
      int rows = x.rows();
      int out = layer.outFeatures();
      if (r.rows() != rows || r.cols() != out) {
        throw new IllegalArgumentException(
            "layer "
                + l
                + "'s results are "
                + r.rows()
                + " x "
                + r.cols()
                + ", expected "
                + rows
                + " x "
                + out);
      }
      int[] folded = layer.foldedBias();
      int[] product = new int[rows * out];
      for (int i = 0, at = 0; i < rows; i++) {
        for (int j = 0; j < out; j++, at++) {
          product[at] = r.accumulators()[at] - folded[j];
        }
      }
      byte[] layerSeed = Sha256.hash(seed, new byte[] {(byte) l});
      int bad =
          Freivalds.firstFailingRow(
              rows,
              layer.inFeatures(),
              out,
              input,
              layer.gemmOperand(),
              product,
              layerSeed,
              rounds);
      if (bad >= 0) {
        byte[] row =
            Arrays.copyOfRange(input, bad * layer.inFeatures(), (bad + 1) * layer.inFeatures());
        for (int j = 0; j < out; j++) {
          int want = layer.accumulator(row, j);
          if (want != r.accumulators()[bad * out + j]) {
            return new WrongActivation(
                l, bad, j, "accumulators", r.accumulators()[bad * out + j], want);
          }
        }
        throw new IllegalStateException("Freivalds failed row " + bad + " but it recomputes right");
      }
      for (int i = 0, at = 0; i < rows; i++) {
        for (int j = 0; j < out; j++, at++) {
          byte y = layer.output(j, r.accumulators()[at]);
          if (y != r.outputs()[at]) {
            return new WrongActivation(l, i, j, "outputs", r.outputs()[at], y);
          }
        }
      }
      input = r.outputs();
    }
    return new AllCorrect(claimed.size());
  }

  /** Tensor {@code field} of layer {@code layer} of a checked model. */
  static CommittedMatrix tensor(CommittedModel model, int layer, String field) {
    String name = "layers." + layer + "." + field;
    for (CommittedMatrix t : model.getTensorsList()) {
      if (t.getName().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("the model has no tensor " + name);
  }

  private static int saturate(long v) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
  }

  private static EntryCheck unproven(Verdict.Reason reason, String message) {
    return new EntryCheck.Unproven(reason, message);
  }
}
