package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.MatrixVector;
import io.peerz.ledger.Blocks;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MatrixCommitmentTest {
  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  @Test
  void rootIsCometBftsMerkleRootOverShapeBoundIndexedVectors() {
    int rows = 5;
    int cols = 3;
    byte[] data = random(rows * cols, 1);
    MatrixCommitment byRows = MatrixCommitment.int8Rows("a", rows, cols, data);
    MatrixCommitment byCols = MatrixCommitment.int8Columns("b", rows, cols, data);
    List<byte[]> rowItems = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      rowItems.add(
          item(1, 1, rows, cols, r, java.util.Arrays.copyOfRange(data, r * cols, (r + 1) * cols)));
    }
    assertThat(byRows.root()).isEqualTo(Blocks.merkleRoot(rowItems));
    List<byte[]> colItems = new ArrayList<>();
    for (int c = 0; c < cols; c++) {
      byte[] col = new byte[rows];
      for (int r = 0; r < rows; r++) {
        col[r] = data[r * cols + c];
      }
      colItems.add(item(2, 1, rows, cols, c, col));
    }
    assertThat(byCols.root()).isEqualTo(Blocks.merkleRoot(colItems));
    int[] ints = {1, -2, 3, 4, 5, 6};
    MatrixCommitment c = MatrixCommitment.int32Rows("c", 2, 3, ints);
    assertThat(c.vector(1)).containsExactly(4, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0);
    assertThat(c.committed().getRoot().toByteArray()).isEqualTo(c.root());
  }

  private static byte[] item(int layout, int type, int rows, int cols, int index, byte[] v) {
    return ByteBuffer.allocate(14 + v.length)
        .put((byte) layout)
        .put((byte) type)
        .putInt(rows)
        .putInt(cols)
        .putInt(index)
        .put(v)
        .array();
  }

  @Test
  void everyVectorProvesAndNothingElseDoes() {
    int rows = 13;
    int cols = 9;
    MatrixCommitment m = MatrixCommitment.int8Columns("b", rows, cols, random(rows * cols, 2));
    CommittedMatrix committed = m.committed();
    for (int v = 0; v < cols; v++) {
      assertThat(MatrixCommitment.check(committed, m.prove(v))).as("column %d", v).isNull();
    }
    MatrixVector good = m.prove(4);
    // Moved to another index, altered, shortened, a bad aunt, out of range: all refused.
    assertThat(MatrixCommitment.check(committed, good.toBuilder().setIndex(5).build()))
        .contains("does not lead to the root");
    byte[] altered = good.getData().toByteArray();
    altered[0] ^= 1;
    assertThat(
            MatrixCommitment.check(
                committed, good.toBuilder().setData(ByteString.copyFrom(altered)).build()))
        .contains("does not lead to the root");
    assertThat(
            MatrixCommitment.check(
                committed, good.toBuilder().setData(good.getData().substring(1)).build()))
        .contains("12 bytes, expected 13");
    assertThat(
            MatrixCommitment.check(
                committed, good.toBuilder().setAunts(0, ByteString.copyFrom(new byte[31])).build()))
        .contains("does not lead");
    assertThat(MatrixCommitment.check(committed, good.toBuilder().setIndex(cols).build()))
        .contains("outside 0..8");
  }

  @Test
  void theSameBytesUnderAnotherShapeOrLayoutDoNotProve() {
    byte[] data = random(16, 3);
    MatrixCommitment twoByEight = MatrixCommitment.int8Rows("a", 2, 8, data);
    MatrixCommitment fourByFour = MatrixCommitment.int8Rows("a", 4, 4, data);
    assertThat(twoByEight.root()).isNotEqualTo(fourByFour.root());
    // The rows of M by rows are the columns of M's transpose: same vectors, other layout.
    byte[] transposed = new byte[16];
    for (int r = 0; r < 2; r++) {
      for (int c = 0; c < 8; c++) {
        transposed[c * 2 + r] = data[r * 8 + c];
      }
    }
    MatrixCommitment columnsOfTranspose = MatrixCommitment.int8Columns("b", 8, 2, transposed);
    assertThat(columnsOfTranspose.vector(1)).isEqualTo(twoByEight.vector(1));
    assertThat(columnsOfTranspose.root()).isNotEqualTo(twoByEight.root());
    CommittedMatrix asColumns =
        twoByEight.committed().toBuilder()
            .setLayout(io.peerz.attest.proto.MatrixLayout.MATRIX_LAYOUT_COLUMNS)
            .setRows(8)
            .setCols(2)
            .build();
    assertThat(MatrixCommitment.check(asColumns, twoByEight.prove(1))).isNotNull();
  }
}
