package io.peerz.attest;

import com.google.protobuf.ByteString;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.attest.proto.ElementType;
import io.peerz.attest.proto.LayerScalars;
import io.peerz.attest.proto.MatrixLayout;
import io.peerz.attest.proto.MatrixVector;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The root a pool commits to for its model: one Merkle root over every tensor, each tensor a {@link
 * MatrixCommitment}, so that one output channel's weights, bias, multiplier or shift is provable
 * alone, as B's columns are in gemm-int8 (docs/attestation.md "Model commitment").
 *
 * <p>A weight {@code [out, in]} is committed as the GEMM operand B = W^T (in x out, int8) by
 * columns, vector j being output channel j's weights; an int32 vector {@code [n]} as an n x 1
 * matrix by rows; an int32 scalar as a 1 x 1 matrix. The model root is the RFC 6962 Merkle root
 * ({@link Blocks#merkleRoot}) over the items {@code name length (u16 BE) || name (UTF-8) || layout
 * (1 byte) || element type (1 byte) || rows (u32 BE) || cols (u32 BE) || tensor root}, tensors in
 * name order.
 */
public final class ModelCommitment {
  private final Map<String, MatrixCommitment> tensors;
  private final CommittedModel committed;

  private ModelCommitment(Map<String, MatrixCommitment> tensors, CommittedModel committed) {
    this.tensors = tensors;
    this.committed = committed;
  }

  /** The commitment to {@code model}'s tensors. */
  public static ModelCommitment of(QuantizedMlp model) {
    Map<String, MatrixCommitment> tensors = new TreeMap<>();
    CommittedModel.Builder b = CommittedModel.newBuilder();
    for (int l = 0; l < model.layers().size(); l++) {
      QuantizedLayer layer = model.layers().get(l);
      String p = "layers." + l + ".";
      tensors.put(
          p + "weight",
          MatrixCommitment.int8Columns(
              p + "weight", layer.inFeatures(), layer.outFeatures(), layer.gemmOperand()));
      int[] bias = layer.bias();
      int[] multiplier = layer.multipliers();
      tensors.put(p + "bias", MatrixCommitment.int32Rows(p + "bias", bias.length, 1, bias));
      tensors.put(
          p + "multiplier",
          MatrixCommitment.int32Rows(p + "multiplier", multiplier.length, 1, multiplier));
      tensors.put(
          p + "shift",
          MatrixCommitment.int32Rows(p + "shift", multiplier.length, 1, layer.shifts()));
      LayerScalars s =
          LayerScalars.newBuilder()
              .setInputZeroPoint(layer.inputZeroPoint())
              .setOutputZeroPoint(layer.outputZeroPoint())
              .setActivation(layer.activation().code())
              .build();
      for (Map.Entry<String, Integer> e : scalars(s).entrySet()) {
        tensors.put(p + e.getKey(), scalar(p + e.getKey(), e.getValue()));
      }
      b.addLayers(s);
    }
    for (MatrixCommitment t : tensors.values()) {
      b.addTensors(t.committed());
    }
    b.setRoot(ByteString.copyFrom(root(b.getTensorsList())));
    return new ModelCommitment(tensors, b.build());
  }

  /** The 32-byte model root. */
  public byte[] root() {
    return committed.getRoot().toByteArray();
  }

  /** What a pool states about its model: the root, every tensor's commitment, the scalars. */
  public CommittedModel committed() {
    return committed;
  }

  /** Vector {@code index} of tensor {@code name} with its proof against that tensor's root. */
  public MatrixVector prove(String name, int index) {
    MatrixCommitment t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("the model has no tensor " + name);
    }
    return t.prove(index);
  }

  /** The model root over tensors given in name order. */
  public static byte[] root(List<CommittedMatrix> tensors) {
    List<byte[]> items = new ArrayList<>(tensors.size());
    for (CommittedMatrix t : tensors) {
      items.add(tensorItem(t));
    }
    return Blocks.merkleRoot(items);
  }

  /** One tensor's item in the model tree. */
  static byte[] tensorItem(CommittedMatrix t) {
    byte[] name = t.getName().getBytes(StandardCharsets.UTF_8);
    byte[] root = t.getRoot().toByteArray();
    byte[] item = new byte[2 + name.length + 10 + root.length];
    item[0] = (byte) (name.length >>> 8);
    item[1] = (byte) name.length;
    System.arraycopy(name, 0, item, 2, name.length);
    int at = 2 + name.length;
    item[at] = (byte) t.getLayoutValue();
    item[at + 1] = (byte) t.getElementTypeValue();
    GemmInputs.putInt(item, at + 2, t.getRows());
    GemmInputs.putInt(item, at + 6, t.getCols());
    System.arraycopy(root, 0, item, at + 10, root.length);
    return item;
  }

  /**
   * Null when {@code m} is a consistent statement of a model (1..64 layers; exactly the tensors of
   * docs/attestation.md in name order, each with the element type, layout and shape its layer
   * needs; shapes and zero points that chain; zero points in -128..127 and activations 0 or 1;
   * every scalar tensor's root that of its stated value; the root over the tensors), else why not.
   * What it cannot see without the weights (a weight of -128, a multiplier or shift out of range,
   * an accumulator that could overflow) is checked by whoever holds the file: {@link
   * QuantizedMlp#from}.
   */
  public static String check(CommittedModel m) {
    int count = m.getLayersCount();
    if (count < 1 || count > QuantizedMlp.MAX_LAYERS) {
      return "a model has 1.." + QuantizedMlp.MAX_LAYERS + " layers, this one " + count;
    }
    if (m.getRoot().size() != Sha256.LENGTH) {
      return "the model root is " + m.getRoot().size() + " bytes, expected 32";
    }
    int perLayer = QuantizedMlp.LAYER_TENSORS.size();
    if (m.getTensorsCount() != perLayer * count) {
      return "a model of "
          + count
          + " layers has "
          + perLayer * count
          + " tensors, this one "
          + m.getTensorsCount();
    }
    Map<String, CommittedMatrix> byName = new TreeMap<>();
    String previous = "";
    for (CommittedMatrix t : m.getTensorsList()) {
      if (t.getName().compareTo(previous) <= 0) {
        return "tensor " + t.getName() + " is out of name order or repeated";
      }
      previous = t.getName();
      if (t.getRoot().size() != Sha256.LENGTH) {
        return "tensor " + t.getName() + "'s root is " + t.getRoot().size() + " bytes";
      }
      byName.put(t.getName(), t);
    }
    long inFeatures = 0;
    for (int l = 0; l < count; l++) {
      String p = "layers." + l + ".";
      for (String field : QuantizedMlp.LAYER_TENSORS) {
        if (!byName.containsKey(p + field)) {
          return "tensor " + p + field + " is missing";
        }
      }
      CommittedMatrix w = byName.get(p + "weight");
      long in = Integer.toUnsignedLong(w.getRows());
      long out = Integer.toUnsignedLong(w.getCols());
      if (w.getElementType() != ElementType.ELEMENT_TYPE_INT8
          || w.getLayout() != MatrixLayout.MATRIX_LAYOUT_COLUMNS
          || in < 1
          || in > CpuGemm.MAX_INNER
          || out < 1
          || out > Integer.MAX_VALUE - 8) {
        return p + "weight must be in x out int8 by columns, 1 <= in <= " + CpuGemm.MAX_INNER;
      }
      if (l > 0 && in != inFeatures) {
        return "the shapes do not chain: layer "
            + l
            + " takes "
            + in
            + " features, layer "
            + (l - 1)
            + " gives "
            + inFeatures;
      }
      inFeatures = out;
      if (!int32Vector(byName.get(p + "bias"), out)) {
        return p + "bias must be " + out + " x 1 int32 by rows";
      }
      CommittedMatrix mult = byName.get(p + "multiplier");
      long channels = Integer.toUnsignedLong(mult.getRows());
      if (!int32Vector(mult, channels) || (channels != 1 && channels != out)) {
        return p + "multiplier must be 1 x 1 or " + out + " x 1 int32 by rows";
      }
      if (!int32Vector(byName.get(p + "shift"), channels)) {
        return p + "shift must have multiplier's shape, " + channels + " x 1 int32 by rows";
      }
      LayerScalars s = m.getLayers(l);
      if (s.getInputZeroPoint() < Byte.MIN_VALUE
          || s.getInputZeroPoint() > Byte.MAX_VALUE
          || s.getOutputZeroPoint() < Byte.MIN_VALUE
          || s.getOutputZeroPoint() > Byte.MAX_VALUE) {
        return "layer " + l + "'s zero points must be in -128..127";
      }
      if (Activation.ofCode(s.getActivation()) == null) {
        return "layer " + l + "'s activation is " + s.getActivation() + "; 0 (none) or 1 (relu)";
      }
      if (l > 0 && s.getInputZeroPoint() != m.getLayers(l - 1).getOutputZeroPoint()) {
        return "the zero points do not chain: layer "
            + l
            + "'s input zero point is "
            + s.getInputZeroPoint()
            + ", layer "
            + (l - 1)
            + "'s output zero point "
            + m.getLayers(l - 1).getOutputZeroPoint();
      }
      for (Map.Entry<String, Integer> e : scalars(s).entrySet()) {
        CommittedMatrix t = byName.get(p + e.getKey());
        if (!t.equals(scalar(p + e.getKey(), e.getValue()).committed())) {
          return "tensor "
              + p
              + e.getKey()
              + " is not the 1 x 1 int32 of the stated value "
              + e.getValue();
        }
      }
    }
    if (!Arrays.equals(root(m.getTensorsList()), m.getRoot().toByteArray())) {
      return "the model root is not the root over the stated tensors";
    }
    return null;
  }

  private static boolean int32Vector(CommittedMatrix t, long rows) {
    return t.getElementType() == ElementType.ELEMENT_TYPE_INT32
        && t.getLayout() == MatrixLayout.MATRIX_LAYOUT_ROWS
        && Integer.toUnsignedLong(t.getRows()) == rows
        && t.getCols() == 1;
  }

  private static Map<String, Integer> scalars(LayerScalars s) {
    Map<String, Integer> out = new TreeMap<>();
    out.put("activation", s.getActivation());
    out.put("input_zero_point", s.getInputZeroPoint());
    out.put("output_zero_point", s.getOutputZeroPoint());
    return out;
  }

  private static MatrixCommitment scalar(String name, int value) {
    return MatrixCommitment.int32Rows(name, 1, 1, new int[] {value});
  }
}
