package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.attest.proto.MatrixLayout;
import io.peerz.attest.proto.MatrixVector;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelCommitmentTest {
  @Test
  void theShippedModelsRootIsPinned() throws Exception {
    // Also printed by models/train_digits.py and models/reference.py root; docs/attestation.md.
    QuantizedMlp m =
        QuantizedMlp.read(SafetensorsFileTest.repo().resolve("models/digits-mlp-int8.safetensors"));
    assertThat(HexFormat.of().formatHex(ModelCommitment.of(m).root()))
        .isEqualTo("ebe644701c681381c0628cccf7faaf06f386e2b567db195755b62d6bd23b1759");
  }

  @Test
  void aWeightTensorIsCommittedColumnByColumnSoOneColumnProvesAlone() {
    QuantizedMlp m = QuantizedMlpTest.twoLayers();
    QuantizedLayer layer = m.layers().get(0);
    ModelCommitment c = ModelCommitment.of(m);
    CommittedMatrix w = find(c, "layers.0.weight");
    assertThat(w.getLayout()).isEqualTo(MatrixLayout.MATRIX_LAYOUT_COLUMNS);
    assertThat(w.getRows()).isEqualTo(3);
    assertThat(w.getCols()).isEqualTo(4);
    for (int j = 0; j < 4; j++) {
      MatrixVector column = c.prove("layers.0.weight", j);
      assertThat(column.getData().toByteArray()).isEqualTo(layer.weightColumn(j));
      assertThat(MatrixCommitment.check(w, column)).isNull();
    }
    assertThat(layer.weightColumn(1)).containsExactly(-1, -2, -3);
    MatrixVector bias = c.prove("layers.0.bias", 3);
    assertThat(MatrixCommitment.check(find(c, "layers.0.bias"), bias)).isNull();
    assertThat(MatrixCommitment.int32At(bias.getData().toByteArray(), 0)).isEqualTo(7);
  }

  @Test
  void aStatedModelChecksOnlyWhenEveryPartFitsItsRoot() {
    CommittedModel good = ModelCommitment.of(QuantizedMlpTest.twoLayers()).committed();
    assertThat(ModelCommitment.check(good)).isNull();
    assertThat(
            ModelCommitment.check(
                good.toBuilder().setRoot(ByteString.copyFrom(new byte[32])).build()))
        .contains("not the root over the stated tensors");
    assertThat(
            ModelCommitment.check(
                good.toBuilder()
                    .setLayers(0, good.getLayers(0).toBuilder().setActivation(0))
                    .build()))
        .contains("not the 1 x 1 int32 of the stated value 0");
    assertThat(
            ModelCommitment.check(
                good.toBuilder()
                    .setLayers(1, good.getLayers(1).toBuilder().setInputZeroPoint(3))
                    .build()))
        .contains("zero points do not chain");
    assertThat(
            ModelCommitment.check(
                good.toBuilder()
                    .setLayers(0, good.getLayers(0).toBuilder().setInputZeroPoint(200))
                    .build()))
        .contains("-128..127");
    assertThat(ModelCommitment.check(good.toBuilder().removeTensors(3).build()))
        .contains("has 14 tensors");
    int w1 = indexOf(good, "layers.1.weight");
    assertThat(
            ModelCommitment.check(
                good.toBuilder()
                    .setTensors(w1, good.getTensors(w1).toBuilder().setRows(5))
                    .build()))
        .contains("layer 1 takes 5 features, layer 0 gives 4");
    int b0 = indexOf(good, "layers.0.bias");
    assertThat(
            ModelCommitment.check(
                good.toBuilder()
                    .setTensors(
                        b0,
                        good.getTensors(b0).toBuilder()
                            .setLayout(MatrixLayout.MATRIX_LAYOUT_COLUMNS))
                    .build()))
        .contains("layers.0.bias must be 4 x 1 int32 by rows");
    assertThat(
            ModelCommitment.check(
                good.toBuilder()
                    .setTensors(0, good.getTensors(1))
                    .setTensors(1, good.getTensors(0))
                    .build()))
        .contains("out of name order");
  }

  @Test
  void everyTensorIsInTheRootAndMetadataIsNot() {
    QuantizedMlp m = QuantizedMlpTest.twoLayers();
    byte[] root = ModelCommitment.of(m).root();
    assertThat(ModelCommitment.of(m).committed().getTensorsList()).hasSize(14);
    for (SafetensorsFile.Tensor t : m.tensors()) {
      List<SafetensorsFile.Tensor> changed = new ArrayList<>();
      for (SafetensorsFile.Tensor u : m.tensors()) {
        byte[] data = u.data().clone();
        if (u.name().equals(t.name())) {
          data[0] ^= 1; // stays valid: a weight, bias, multiplier, shift, zero point or ReLU flag
        }
        changed.add(new SafetensorsFile.Tensor(u.name(), u.dtype(), u.shape(), data));
      }
      QuantizedMlp other;
      try {
        other = QuantizedMlp.parse(SafetensorsFile.write(Map.of(), changed));
      } catch (ModelFormatException e) {
        // Only the zero points chain: flipping one alone breaks the chain, which is fine here.
        assertThat(t.name()).contains("zero_point");
        continue;
      }
      assertThat(ModelCommitment.of(other).root()).as(t.name()).isNotEqualTo(root);
    }
    assertThat(m.toSafetensors(Map.of("a", "b"))).isNotEqualTo(m.toSafetensors(Map.of()));
  }

  @Test
  void perTensorAndPerChannelRequantizationCommitToDifferentRoots() {
    int half = 1 << 30;
    QuantizedLayer perTensor =
        new QuantizedLayer(
            1,
            2,
            new byte[] {1, 2},
            new int[] {0, 0},
            new int[] {half},
            new int[] {-1},
            0,
            0,
            Activation.NONE);
    QuantizedLayer perChannel =
        new QuantizedLayer(
            1,
            2,
            new byte[] {1, 2},
            new int[] {0, 0},
            new int[] {half, half},
            new int[] {-1, -1},
            0,
            0,
            Activation.NONE);
    assertThat(ModelCommitment.of(new QuantizedMlp(List.of(perTensor))).root())
        .isNotEqualTo(ModelCommitment.of(new QuantizedMlp(List.of(perChannel))).root());
  }

  private static CommittedMatrix find(ModelCommitment c, String name) {
    return c.committed().getTensorsList().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static int indexOf(CommittedModel m, String name) {
    for (int i = 0; i < m.getTensorsCount(); i++) {
      if (m.getTensors(i).getName().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(name);
  }
}
