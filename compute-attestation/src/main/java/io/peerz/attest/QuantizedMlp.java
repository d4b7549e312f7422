package io.peerz.attest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An mlp-int8 model: fully connected {@link QuantizedLayer}s applied in order, each layer's int8
 * output the next one's input. Its file is a {@code .safetensors} holding, for layers l = 0, 1, ...
 * (no gaps, at most {@link #MAX_LAYERS}), exactly these tensors and no others:
 *
 * <pre>
 * layers.l.weight             I8   [out, in]      output channel j's weights in row j
 * layers.l.bias               I32  [out]
 * layers.l.multiplier         I32  [1] or [out]   per tensor or per output channel
 * layers.l.shift              I32  same as multiplier
 * layers.l.input_zero_point   I32  []
 * layers.l.output_zero_point  I32  []
 * layers.l.activation         I32  []             0 none, 1 ReLU
 * </pre>
 *
 * Layer l + 1 takes as many features as layer l gives and its input zero point is layer l's output
 * zero point. {@code __metadata__} is free text (scales, provenance) and no part of the model's
 * meaning or root.
 */
public final class QuantizedMlp {
  /** The most layers a model may have. */
  public static final int MAX_LAYERS = 64;

  /** The tensors every layer has, by the name after {@code layers.<l>.}. */
  public static final List<String> LAYER_TENSORS =
      List.of(
          "weight",
          "bias",
          "multiplier",
          "shift",
          "input_zero_point",
          "output_zero_point",
          "activation");

  private static final Pattern NAME = Pattern.compile("layers\\.(0|[1-9][0-9]{0,8})\\.([a-z_]+)");

  private final List<QuantizedLayer> layers;

  /** A model of these layers; throws IllegalArgumentException when they do not chain. */
  public QuantizedMlp(List<QuantizedLayer> layers) {
    if (layers.isEmpty() || layers.size() > MAX_LAYERS) {
      throw new IllegalArgumentException(
          "a model has 1.." + MAX_LAYERS + " layers, got " + layers.size());
    }
    for (int l = 1; l < layers.size(); l++) {
      QuantizedLayer prev = layers.get(l - 1);
      QuantizedLayer cur = layers.get(l);
      if (cur.inFeatures() != prev.outFeatures()) {
        throw new IllegalArgumentException(
            "the shapes do not chain: layer "
                + l
                + " takes "
                + cur.inFeatures()
                + " features but layer "
                + (l - 1)
                + " gives "
                + prev.outFeatures());
      }
      if (cur.inputZeroPoint() != prev.outputZeroPoint()) {
        throw new IllegalArgumentException(
            "the zero points do not chain: layer "
                + l
                + "'s input zero point is "
                + cur.inputZeroPoint()
                + " but layer "
                + (l - 1)
                + "'s output zero point is "
                + prev.outputZeroPoint());
      }
    }
    this.layers = List.copyOf(layers);
  }

  /** Reads and checks a model file. */
  public static QuantizedMlp read(Path file) throws IOException, ModelFormatException {
    try {
      return from(SafetensorsFile.read(file));
    } catch (SafetensorsFormatException e) {
      throw new ModelFormatException(
          file + " is not a valid .safetensors file: " + e.getMessage(), e);
    }
  }

  /** Parses and checks the bytes of a model file. */
  public static QuantizedMlp parse(byte[] file) throws ModelFormatException {
    try {
      return from(SafetensorsFile.parse(file));
    } catch (SafetensorsFormatException e) {
      throw new ModelFormatException("not a valid .safetensors file: " + e.getMessage(), e);
    }
  }

  /** The model in a parsed file, after every check of the naming scheme and the layer rules. */
  public static QuantizedMlp from(SafetensorsFile file) throws ModelFormatException {
    TreeMap<Integer, Map<String, SafetensorsFile.Tensor>> byLayer = new TreeMap<>();
    for (SafetensorsFile.Tensor t : file.tensors().values()) {
      Matcher m = NAME.matcher(t.name());
      if (!m.matches() || !LAYER_TENSORS.contains(m.group(2))) {
        throw new ModelFormatException(
            "unknown tensor "
                + t.name()
                + ": a model holds only layers.<l>.{"
                + String.join(",", LAYER_TENSORS)
                + "} (docs/attestation.md)");
      }
      int layer = Integer.parseInt(m.group(1));
      if (layer >= MAX_LAYERS) {
        throw new ModelFormatException(
            "tensor " + t.name() + " is in layer " + layer + "; a model has at most " + MAX_LAYERS);
      }
      byLayer.computeIfAbsent(layer, l -> new TreeMap<>()).put(m.group(2), t);
    }
    if (byLayer.isEmpty()) {
      throw new ModelFormatException("the file holds no tensors, so no layers");
    }
    int count = byLayer.lastKey() + 1;
    List<QuantizedLayer> layers = new ArrayList<>(count);
    for (int l = 0; l < count; l++) {
      Map<String, SafetensorsFile.Tensor> t = byLayer.getOrDefault(l, Map.of());
      for (String field : LAYER_TENSORS) {
        if (!t.containsKey(field)) {
          throw new ModelFormatException(
              "tensor layers."
                  + l
                  + "."
                  + field
                  + " is missing; every layer needs "
                  + LAYER_TENSORS);
        }
      }
      layers.add(layer(l, t));
    }
    try {
      return new QuantizedMlp(layers);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(e.getMessage(), e);
    }
  }

  private static QuantizedLayer layer(int l, Map<String, SafetensorsFile.Tensor> t)
      throws ModelFormatException {
    String p = "layers." + l + ".";
    SafetensorsFile.Tensor w = t.get("weight");
    check(w, SafetensorsDtype.I8, 2, p);
    long out = w.shape()[0];
    long in = w.shape()[1];
    if (out < 1 || in < 1 || out > Integer.MAX_VALUE || in > CpuGemm.MAX_INNER) {
      throw new ModelFormatException(
          p + "weight is " + w.shapeText() + "; [out, in] needs 1 <= in <= " + CpuGemm.MAX_INNER);
    }
    int[] bias = int32(t.get("bias"), p, out);
    int[] multiplier = int32(t.get("multiplier"), p, -out);
    int[] shift = int32(t.get("shift"), p, -out);
    int inZero = scalar(t.get("input_zero_point"), p);
    int outZero = scalar(t.get("output_zero_point"), p);
    int code = scalar(t.get("activation"), p);
    Activation activation = Activation.ofCode(code);
    if (activation == null) {
      throw new ModelFormatException(p + "activation is " + code + "; 0 (none) or 1 (relu)");
    }
    try {
      return new QuantizedLayer(
          (int) in, (int) out, w.data(), bias, multiplier, shift, inZero, outZero, activation);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException("layer " + l + ": " + e.getMessage(), e);
    }
  }

  private static void check(SafetensorsFile.Tensor t, SafetensorsDtype dtype, int rank, String p)
      throws ModelFormatException {
    String field = t.name().substring(p.length());
    if (t.dtype() != dtype) {
      throw new ModelFormatException(t.name() + " is " + t.dtype() + "; " + field + " is " + dtype);
    }
    if (t.shape().length != rank) {
      throw new ModelFormatException(
          t.name() + " has shape " + t.shapeText() + "; " + field + " has " + rank + " dimensions");
    }
  }

  /**
   * An int32 vector of {@code length} entries, or, for a negative length, of 1 or -length entries
   * (per tensor or per channel).
   */
  private static int[] int32(SafetensorsFile.Tensor t, String p, long length)
      throws ModelFormatException {
    check(t, SafetensorsDtype.I32, 1, p);
    long n = t.shape()[0];
    if (length >= 0 ? n != length : n != 1 && n != -length) {
      throw new ModelFormatException(
          t.name()
              + " has shape "
              + t.shapeText()
              + "; it must be "
              + (length >= 0 ? "[" + length + "]" : "[1] or [" + -length + "]")
              + " for a layer of that many outputs");
    }
    int[] out = new int[(int) n];
    ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
    return out;
  }

  private static int scalar(SafetensorsFile.Tensor t, String p) throws ModelFormatException {
    check(t, SafetensorsDtype.I32, 0, p);
    return ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  /** The layers in order. */
  public List<QuantizedLayer> layers() {
    return layers;
  }

  /** Features of the input: layer 0's. */
  public int inputFeatures() {
    return layers.get(0).inFeatures();
  }

  /** Features of the output: the last layer's. */
  public int outputFeatures() {
    return layers.get(layers.size() - 1).outFeatures();
  }

  /**
   * Every layer's accumulators and outputs for {@code rows} int8 input rows (row-major rows x
   * {@link #inputFeatures}), the layers' GEMMs through {@code gemm}.
   */
  public List<QuantizedLayer.Result> forward(int rows, byte[] input, Int8Gemm gemm) {
    return run(rows, input, (layer, r, x) -> layer.forward(r, x, gemm));
  }

  /**
   * Every layer's accumulators and outputs for {@code rows} int8 input rows, each layer run by
   * {@code runner} on the previous layer's outputs (a GPU backend's own layer kernel, for one).
   */
  public List<QuantizedLayer.Result> run(int rows, byte[] input, QuantizedLayer.Runner runner) {
    if (rows < 1 || (long) rows * inputFeatures() != input.length) {
      throw new IllegalArgumentException(
          "the input holds "
              + input.length
              + " entries; the model takes rows of "
              + inputFeatures()
              + " features, so "
              + rows
              + " rows need "
              + (long) rows * inputFeatures());
    }
    List<QuantizedLayer.Result> results = new ArrayList<>(layers.size());
    byte[] x = input;
    for (QuantizedLayer layer : layers) {
      QuantizedLayer.Result r = runner.run(layer, rows, x);
      if (r.rows() != rows
          || r.cols() != layer.outFeatures()
          || r.accumulators().length != rows * layer.outFeatures()
          || r.outputs().length != rows * layer.outFeatures()) {
        throw new IllegalStateException(
            "a layer runner gave "
                + r.rows()
                + " x "
                + r.cols()
                + " for "
                + rows
                + " rows of "
                + layer.outFeatures()
                + " features");
      }
      results.add(r);
      x = r.outputs();
    }
    return results;
  }

  /** The model's tensors, in name order, as its file holds them. */
  public List<SafetensorsFile.Tensor> tensors() {
    List<SafetensorsFile.Tensor> out = new ArrayList<>();
    for (int l = 0; l < layers.size(); l++) {
      QuantizedLayer layer = layers.get(l);
      String p = "layers." + l + ".";
      out.add(
          new SafetensorsFile.Tensor(
              p + "weight",
              SafetensorsDtype.I8,
              new long[] {layer.outFeatures(), layer.inFeatures()},
              layer.weight()));
      out.add(int32(p + "bias", layer.bias(), true));
      out.add(int32(p + "multiplier", layer.multipliers(), true));
      out.add(int32(p + "shift", layer.shifts(), true));
      out.add(int32(p + "input_zero_point", new int[] {layer.inputZeroPoint()}, false));
      out.add(int32(p + "output_zero_point", new int[] {layer.outputZeroPoint()}, false));
      out.add(int32(p + "activation", new int[] {layer.activation().code()}, false));
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  /** The model's file, with {@code metadata} as its {@code __metadata__}. */
  public byte[] toSafetensors(Map<String, String> metadata) {
    return SafetensorsFile.write(metadata, tensors());
  }

  private static SafetensorsFile.Tensor int32(String name, int[] values, boolean vector) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(values);
    long[] shape = vector ? new long[] {values.length} : new long[0];
    return new SafetensorsFile.Tensor(name, SafetensorsDtype.I32, shape, b.array());
  }
}
