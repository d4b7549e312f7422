package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.ledger.Blocks;
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
    ModelCommitment.TensorRoot w = find(ModelCommitment.of(m), "layers.0.weight");
    assertThat(w.layout()).isEqualTo(ModelCommitment.LAYOUT_COLUMNS);
    assertThat(w.rows()).isEqualTo(3);
    assertThat(w.cols()).isEqualTo(4);
    List<byte[]> columns = new ArrayList<>();
    for (int j = 0; j < 4; j++) {
      columns.add(
          ModelCommitment.vectorItem(
              ModelCommitment.LAYOUT_COLUMNS,
              ModelCommitment.ELEMENT_INT8,
              3,
              4,
              j,
              layer.weightColumn(j)));
    }
    assertThat(w.root()).isEqualTo(Blocks.merkleRoot(columns));
    assertThat(layer.weightColumn(1)).containsExactly(-1, -2, -3);
  }

  @Test
  void everyTensorIsInTheRootAndMetadataIsNot() {
    QuantizedMlp m = QuantizedMlpTest.twoLayers();
    byte[] root = ModelCommitment.of(m).root();
    assertThat(ModelCommitment.of(m).tensors()).hasSize(14);
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

  private static ModelCommitment.TensorRoot find(ModelCommitment c, String name) {
    return c.tensors().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }
}
