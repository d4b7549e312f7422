package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class QuantizedMlpTest {
  private static final int HALF = 1 << 30;

  @Test
  void theShippedModelIsTwoLayersPerChannelThenPerTensor() throws Exception {
    QuantizedMlp m =
        QuantizedMlp.read(SafetensorsFileTest.repo().resolve("models/digits-mlp-int8.safetensors"));
    assertThat(m.layers()).hasSize(2);
    assertThat(m.inputFeatures()).isEqualTo(64);
    assertThat(m.outputFeatures()).isEqualTo(10);
    QuantizedLayer hidden = m.layers().get(0);
    QuantizedLayer out = m.layers().get(1);
    assertThat(hidden.perChannel()).isTrue();
    assertThat(hidden.activation()).isEqualTo(Activation.RELU);
    assertThat(hidden.inputZeroPoint()).isEqualTo(-128);
    assertThat(out.perChannel()).isFalse();
    assertThat(out.activation()).isEqualTo(Activation.NONE);
    assertThat(out.inputZeroPoint()).isEqualTo(hidden.outputZeroPoint());
  }

  @Property(tries = 40)
  void theGemmPathGivesEveryEntryOfTheDefinition(@ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    QuantizedMlp model = RandomModels.model(r, 24);
    int rows = 1 + r.nextInt(6);
    byte[] x = RandomModels.input(r, rows, model.inputFeatures());
    List<QuantizedLayer.Result> results = model.forward(rows, x, CpuGemm::multiply);
    for (int l = 0; l < results.size(); l++) {
      QuantizedLayer layer = model.layers().get(l);
      QuantizedLayer.Result res = results.get(l);
      for (int i = 0; i < rows; i++) {
        byte[] row = Arrays.copyOfRange(x, i * layer.inFeatures(), (i + 1) * layer.inFeatures());
        for (int j = 0; j < layer.outFeatures(); j++) {
          int acc = layer.accumulator(row, j);
          assertThat(res.accumulators()[i * layer.outFeatures() + j]).isEqualTo(acc);
          assertThat(res.outputs()[i * layer.outFeatures() + j]).isEqualTo(layer.output(j, acc));
        }
      }
      x = res.outputs();
    }
  }

  @Test
  void aLayerAtItsOverflowBoundStaysExactOnTheWorstInputs() {
    // 255 x sum |w| + |bias| = 2^31 - 1 exactly: the largest valid accumulator, reached by x - zx =
    // 255 everywhere (x = 127, zx = -128) against all-positive weights.
    int in = 1000;
    byte[] w = new byte[in];
    Arrays.fill(w, (byte) 127);
    int bias = Integer.MAX_VALUE - 255 * 127 * in;
    QuantizedLayer layer = layer(in, w, bias, -128, 0);
    byte[] x = new byte[in];
    Arrays.fill(x, (byte) 127);
    QuantizedLayer.Result r = layer.forward(1, x, CpuGemm::multiply);
    assertThat(r.accumulators()[0]).isEqualTo(Integer.MAX_VALUE);
    Arrays.fill(w, (byte) -127);
    QuantizedLayer negative = layer(in, w, -bias, -128, 0);
    assertThat(negative.forward(1, x, CpuGemm::multiply).accumulators()[0])
        .isEqualTo(-Integer.MAX_VALUE);
    assertThatThrownBy(() -> layer(in, w, bias + 1, -128, 0))
        .hasMessageContaining("output channel 0's accumulator can reach 2147483648");
    // A left shift of 2 divides the room by 4.
    assertThatThrownBy(() -> layer(in, w, bias, -128, 2)).hasMessageContaining("times 2^2");
    assertThat(layer(in, w, Integer.MAX_VALUE / 4 - 255 * 127 * in, -128, 2).shift(0)).isEqualTo(2);
  }

  @Test
  void eachBadModelIsRefusedNamingTheTensorOrRule() {
    QuantizedMlp good = twoLayers();
    refused(without(good, "layers.1.bias"), "tensor layers.1.bias is missing");
    refused(with(good, i32("layers.0.scale", new long[0], 1)), "unknown tensor layers.0.scale");
    refused(with(good, i32("bias", new long[0], 1)), "unknown tensor bias");
    refused(renamed(good, "layers.1.", "layers.3."), "tensor layers.1.weight is missing");
    refused(renamed(good, "layers.1.", "layers.64."), "at most 64");
    refused(SafetensorsFile.write(Map.of(), List.of()), "no tensors");
    refused(
        replaced(
            good,
            new SafetensorsFile.Tensor(
                "layers.0.activation", SafetensorsDtype.I8, new long[0], new byte[] {1})),
        "layers.0.activation is I8; activation is I32");
    refused(
        replaced(good, i32("layers.0.input_zero_point", new long[] {1}, 0)), "has 0 dimensions");
    refused(replaced(good, i32("layers.0.bias", new long[] {3}, 1, 2, 3)), "must be [4]");
    refused(
        replaced(good, i32("layers.0.multiplier", new long[] {2}, HALF, HALF)),
        "must be [1] or [4]");
    refused(
        replaced(good, i32("layers.1.shift", new long[] {2}, 0, 0)),
        "as many entries as multiplier");
    refused(
        replaced(
            good,
            new SafetensorsFile.Tensor(
                "layers.1.weight", SafetensorsDtype.I8, new long[] {2, 5}, new byte[10])),
        "layer 1 takes 5 features but layer 0 gives 4");
    refused(
        replaced(
            good,
            new SafetensorsFile.Tensor(
                "layers.0.weight", SafetensorsDtype.I8, new long[] {4, 0}, new byte[0])),
        "[out, in] needs 1 <= in");
    refused(
        replaced(good, i32("layers.1.input_zero_point", new long[0], 6)),
        "zero points do not chain");
    refused(
        replaced(good, i32("layers.1.shift", new long[] {1}, 31)), "shift 31 must be in -31..30");
    refused(
        replaced(good, i32("layers.1.shift", new long[] {1}, -32)), "shift -32 must be in -31..30");
    refused(
        replaced(good, i32("layers.1.multiplier", new long[] {1}, HALF - 1)), "[2^30, 2^31 - 1]");
    refused(
        replaced(good, i32("layers.0.input_zero_point", new long[0], 128)),
        "input zero point 128 must be in -128..127");
    refused(
        replaced(good, i32("layers.1.output_zero_point", new long[0], -129)),
        "output zero point -129");
    refused(replaced(good, i32("layers.1.activation", new long[0], 2)), "activation is 2");
    byte[] w = new byte[12];
    w[5] = -128;
    refused(
        replaced(
            good,
            new SafetensorsFile.Tensor(
                "layers.0.weight", SafetensorsDtype.I8, new long[] {4, 3}, w)),
        "weight[1][2] is -128");
    refused(
        replaced(good, i32("layers.0.bias", new long[] {4}, 0, Integer.MAX_VALUE, 0, 0)),
        "output channel 1's accumulator");
    byte[] bad = good.toSafetensors(Map.of());
    bad[0]++;
    refused(bad, "not a valid .safetensors file");
  }

  @Test
  void theInputMustHaveTheModelsFeatureCount() {
    QuantizedMlp m = twoLayers();
    assertThatThrownBy(() -> m.forward(2, new byte[8], CpuGemm::multiply))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rows of 3 features");
  }

  @Test
  void aModelWritesAndReadsBackToTheSameLayers() throws Exception {
    SplittableRandom r = new SplittableRandom(3);
    QuantizedMlp m = RandomModels.model(r, 30);
    QuantizedMlp back = QuantizedMlp.parse(m.toSafetensors(Map.of("note", "x")));
    byte[] x = RandomModels.input(r, 5, m.inputFeatures());
    List<QuantizedLayer.Result> a = m.forward(5, x, CpuGemm::multiply);
    List<QuantizedLayer.Result> b = back.forward(5, x, CpuGemm::multiply);
    for (int l = 0; l < a.size(); l++) {
      assertThat(b.get(l).accumulators()).isEqualTo(a.get(l).accumulators());
      assertThat(b.get(l).outputs()).isEqualTo(a.get(l).outputs());
    }
    assertThat(ModelCommitment.of(back).root()).isEqualTo(ModelCommitment.of(m).root());
  }

  /** 3 -> 4 (per channel, ReLU) -> 2 (per tensor). */
  static QuantizedMlp twoLayers() {
    QuantizedLayer a =
        new QuantizedLayer(
            3,
            4,
            new byte[] {1, 2, 3, -1, -2, -3, 5, 0, -5, 127, -127, 0},
            new int[] {10, -10, 0, 7},
            new int[] {HALF, HALF + 1, HALF + 2, Integer.MAX_VALUE},
            new int[] {-1, -2, -3, -4},
            -5,
            7,
            Activation.RELU);
    QuantizedLayer b =
        new QuantizedLayer(
            4,
            2,
            new byte[] {1, 1, 1, 1, -1, -1, -1, -1},
            new int[] {0, 3},
            new int[] {HALF},
            new int[] {-2},
            7,
            -1,
            Activation.NONE);
    return new QuantizedMlp(List.of(a, b));
  }

  private static QuantizedLayer layer(int in, byte[] w, int bias, int zero, int shift) {
    return new QuantizedLayer(
        in, 1, w, new int[] {bias}, new int[] {HALF}, new int[] {shift}, zero, 0, Activation.NONE);
  }

  private static void refused(byte[] file, String message) {
    assertThatThrownBy(() -> QuantizedMlp.parse(file))
        .as(message)
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining(message);
  }

  private static SafetensorsFile.Tensor i32(String name, long[] shape, int... values) {
    byte[] data = new byte[4 * values.length];
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(values);
    return new SafetensorsFile.Tensor(name, SafetensorsDtype.I32, shape, data);
  }

  private static byte[] without(QuantizedMlp m, String name) {
    List<SafetensorsFile.Tensor> t = new ArrayList<>(m.tensors());
    t.removeIf(x -> x.name().equals(name));
    return SafetensorsFile.write(Map.of(), t);
  }

  private static byte[] with(QuantizedMlp m, SafetensorsFile.Tensor extra) {
    List<SafetensorsFile.Tensor> t = new ArrayList<>(m.tensors());
    t.add(extra);
    return SafetensorsFile.write(Map.of(), t);
  }

  private static byte[] replaced(QuantizedMlp m, SafetensorsFile.Tensor replacement) {
    List<SafetensorsFile.Tensor> t = new ArrayList<>(m.tensors());
    assertThat(t.removeIf(x -> x.name().equals(replacement.name()))).isTrue();
    t.add(replacement);
    return SafetensorsFile.write(Map.of(), t);
  }

  private static byte[] renamed(QuantizedMlp m, String from, String to) {
    List<SafetensorsFile.Tensor> t = new ArrayList<>();
    for (SafetensorsFile.Tensor x : m.tensors()) {
      String name = x.name().startsWith(from) ? to + x.name().substring(from.length()) : x.name();
      t.add(new SafetensorsFile.Tensor(name, x.dtype(), x.shape(), x.data()));
    }
    return SafetensorsFile.write(Map.of(), t);
  }
}
