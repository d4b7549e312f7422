package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.Blocks;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OutputCommitmentTest {

  static int[] randomOutput(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] out = new int[n * n];
    for (int i = 0; i < out.length; i++) {
      out[i] = random.nextInt();
    }
    return out;
  }

  @Test
  void rowsAreLittleEndianInt32() {
    int[] out = {0x01020304, -2, 7, Integer.MIN_VALUE};
    assertThat(OutputCommitment.rowBytes(2, out, 0))
        .containsExactly(0x04, 0x03, 0x02, 0x01, 0xfe, 0xff, 0xff, 0xff);
    assertThat(OutputCommitment.rowBytes(2, out, 1)).containsExactly(7, 0, 0, 0, 0, 0, 0, 0x80);
  }

  @Test
  void rootIsCometBftMerkleRootOverIndexedRows() {
    for (int n : new int[] {1, 2, 3, 64, 100, 192}) {
      int[] out = randomOutput(n, n);
      List<byte[]> items = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        byte[] row = OutputCommitment.rowBytes(n, out, i);
        byte[] item = new byte[4 + row.length];
        GemmInputs.putInt(item, 0, i);
        System.arraycopy(row, 0, item, 4, row.length);
        items.add(item);
      }
      assertThat(OutputCommitment.of(n, out).root())
          .as("n=%d", n)
          .isEqualTo(Blocks.merkleRoot(items));
    }
  }

  @Test
  void everyRowProofVerifiesAndAnyChangedByteFails() {
    for (int n : new int[] {1, 3, 64, 100}) {
      int[] out = randomOutput(n, 7);
      OutputCommitment c = OutputCommitment.of(n, out);
      byte[] root = c.root();
      for (int i = 0; i < n; i++) {
        RowProof proof = c.prove(i);
        byte[] row = c.rowBytes(i);
        assertThat(proof.verify(root, row)).as("n=%d row %d", n, i).isTrue();
        assertThat(proof.aunts()).hasSize(depth(n, i));
      }
      // Every byte of one row, every byte of every aunt, the index, the total and the root.
      int i = n / 2;
      RowProof proof = c.prove(i);
      byte[] row = c.rowBytes(i);
      for (int at = 0; at < row.length; at++) {
        byte[] bad = row.clone();
        bad[at] ^= 1;
        assertThat(proof.verify(root, bad)).as("row byte %d", at).isFalse();
      }
      List<byte[]> aunts = proof.aunts();
      for (int a = 0; a < aunts.size(); a++) {
        for (int at = 0; at < 32; at++) {
          List<byte[]> bad = proof.aunts();
          bad.get(a)[at] ^= (byte) 0x80;
          assertThat(new RowProof(i, n, bad).verify(root, row)).isFalse();
        }
      }
      for (int at = 0; at < 32; at++) {
        byte[] badRoot = root.clone();
        badRoot[at] ^= 1;
        assertThat(proof.verify(badRoot, row)).isFalse();
      }
      if (n > 1) {
        assertThat(new RowProof((i + 1) % n, n, aunts).verify(root, row)).isFalse();
        // The total is not committed (as in CometBFT): the verifier takes it from the workload.
        assertThat(new RowProof(i, n, aunts.subList(0, aunts.size() - 1)).verify(root, row))
            .isFalse();
        List<byte[]> longer = new ArrayList<>(aunts);
        longer.add(root);
        assertThat(new RowProof(i, n, longer).verify(root, row)).isFalse();
      }
      assertThat(new RowProof(-1, n, aunts).verify(root, row)).isFalse();
      assertThat(new RowProof(n, n, aunts).verify(root, row)).isFalse();
    }
  }

  @Test
  void aCommitmentFromLeavesAndARowSourceHasTheSameRootProofsAndReveal() {
    byte[] blockHash = new byte[32];
    blockHash[0] = 9;
    for (int n : new int[] {1, 3, 100, 64, 192}) {
      int[] out = randomOutput(n, 11);
      OutputCommitment full = OutputCommitment.of(n, out);
      byte[][] leaves = new byte[n][];
      for (int i = 0; i < n; i++) {
        leaves[i] = full.leaf(i);
      }
      List<int[]> asked = new ArrayList<>();
      OutputCommitment fromLeaves =
          OutputCommitment.ofLeaves(
              n,
              leaves,
              indices -> {
                asked.add(indices);
                byte[][] rows = new byte[indices.length][];
                for (int s = 0; s < indices.length; s++) {
                  rows[s] = OutputCommitment.rowBytes(n, out, indices[s]);
                }
                return rows;
              });
      assertThat(fromLeaves.root()).as("n=%d", n).isEqualTo(full.root());
      for (int i = 0; i < n; i++) {
        assertThat(fromLeaves.prove(i)).isEqualTo(full.prove(i));
      }
      if (n % 64 != 0) {
        continue;
      }
      Challenge ch = Challenge.derive(blockHash, 5, new Workload(n), 16);
      asked.clear();
      assertThat(fromLeaves.reveal(ch)).isEqualTo(full.reveal(ch));
      // One call for the whole challenge, so a source that recomputes rows shares its work.
      assertThat(asked).hasSize(1);
      assertThat(asked.get(0)).containsExactly(ch.rows());
    }
  }

  @Test
  void aRowFromTheSourceThatIsNotTheCommittedOneIsNeverRevealed() {
    int n = 8;
    int[] out = randomOutput(n, 12);
    OutputCommitment full = OutputCommitment.of(n, out);
    byte[][] leaves = new byte[n][];
    for (int i = 0; i < n; i++) {
      leaves[i] = full.leaf(i);
    }
    OutputCommitment lying =
        OutputCommitment.ofLeaves(
            n,
            leaves,
            indices -> {
              byte[][] rows = new byte[indices.length][];
              for (int s = 0; s < indices.length; s++) {
                rows[s] = OutputCommitment.rowBytes(n, out, indices[s]);
                if (indices[s] == 5) {
                  rows[s][0] ^= 1;
                }
              }
              return rows;
            });
    assertThat(lying.rowBytes(4)).isEqualTo(full.rowBytes(4));
    assertThatThrownBy(() -> lying.rows(new int[] {4, 5}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("row 5");
    OutputCommitment shortRows =
        OutputCommitment.ofLeaves(n, leaves, indices -> new byte[][] {new byte[4 * n - 1]});
    assertThatThrownBy(() -> shortRows.rowBytes(0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> OutputCommitment.ofLeaves(n, new byte[n - 1][], i -> null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> full.rowBytes(n)).isInstanceOf(IllegalArgumentException.class);
  }

  /** The depth of leaf i in a CometBFT tree of n leaves: the number of aunts its proof needs. */
  private static int depth(int n, int i) {
    int depth = 0;
    int total = n;
    int index = i;
    while (total > 1) {
      int left = Integer.highestOneBit(total - 1);
      if (index < left) {
        total = left;
      } else {
        index -= left;
        total -= left;
      }
      depth++;
    }
    return depth;
  }
}
