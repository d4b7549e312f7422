package io.peerz.attest;

import io.peerz.ledger.Blocks;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The root a pool commits to for its model: one Merkle root over every tensor, each tensor
 * committed by the Merkle root of its vectors, so that one weight column (one output channel's
 * weights) or one channel's bias, multiplier or shift is provable alone, as B's columns are in
 * gemm-int8 (docs/attestation.md "Model commitment").
 *
 * <p>A tensor is committed as a matrix: a weight {@code [out, in]} as the GEMM operand B = W^T (in
 * x out) by columns (int8); an int32 vector {@code [n]} as an n x 1 matrix by rows; an int32 scalar
 * as a 1 x 1 matrix. Vector v's Merkle item is {@code layout (1 byte) || element type (1 byte) ||
 * rows (u32 BE) || cols (u32 BE) || v (u32 BE) || bytes} (int32 little-endian), layout 1 = rows, 2
 * = columns, element type 1 = int8, 2 = int32: the leaf of a committed matrix. The model root is
 * the Merkle root over the items {@code name length (u16 BE) || name (UTF-8) || layout || element
 * type || rows (u32 BE) || cols (u32 BE) || tensor root}, tensors in name order. Both trees are RFC
 * 6962's ({@link Blocks#merkleRoot}).
 */
public final class ModelCommitment {
  /** Layout code: one leaf per row. */
  public static final int LAYOUT_ROWS = 1;

  /** Layout code: one leaf per column. */
  public static final int LAYOUT_COLUMNS = 2;

  /** Element type code: int8. */
  public static final int ELEMENT_INT8 = 1;

  /** Element type code: little-endian int32. */
  public static final int ELEMENT_INT32 = 2;

  /** One tensor's commitment: its name, how it is cut into vectors, and the root of those. */
  public record TensorRoot(
      String name, int layout, int elementType, int rows, int cols, byte[] root) {}

  private final List<TensorRoot> tensors;
  private final byte[] root;

  private ModelCommitment(List<TensorRoot> tensors, byte[] root) {
    this.tensors = List.copyOf(tensors);
    this.root = root;
  }

  /** The commitment to {@code model}'s tensors. */
  public static ModelCommitment of(QuantizedMlp model) {
    List<TensorRoot> roots = new ArrayList<>();
    List<byte[]> items = new ArrayList<>();
    for (SafetensorsFile.Tensor t : model.tensors()) {
      TensorRoot r = commit(t);
      roots.add(r);
      items.add(tensorItem(r));
    }
    return new ModelCommitment(roots, Blocks.merkleRoot(items));
  }

  /** The 32-byte model root (a copy). */
  public byte[] root() {
    return root.clone();
  }

  /** Every tensor's commitment, in name order. */
  public List<TensorRoot> tensors() {
    return tensors;
  }

  /** The Merkle item of vector {@code index} of a matrix of this shape. */
  public static byte[] vectorItem(
      int layout, int elementType, int rows, int cols, int index, byte[] vector) {
    byte[] item = new byte[14 + vector.length];
    item[0] = (byte) layout;
    item[1] = (byte) elementType;
    GemmInputs.putInt(item, 2, rows);
    GemmInputs.putInt(item, 6, cols);
    GemmInputs.putInt(item, 10, index);
    System.arraycopy(vector, 0, item, 14, vector.length);
    return item;
  }

  /** The Merkle item of one tensor in the model tree. */
  static byte[] tensorItem(TensorRoot t) {
    byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
    byte[] item = new byte[2 + name.length + 10 + t.root().length];
    item[0] = (byte) (name.length >>> 8);
    item[1] = (byte) name.length;
    System.arraycopy(name, 0, item, 2, name.length);
    int at = 2 + name.length;
    item[at] = (byte) t.layout();
    item[at + 1] = (byte) t.elementType();
    GemmInputs.putInt(item, at + 2, t.rows());
    GemmInputs.putInt(item, at + 6, t.cols());
    System.arraycopy(t.root(), 0, item, at + 10, t.root().length);
    return item;
  }

  private static TensorRoot commit(SafetensorsFile.Tensor t) {
    byte[] data = t.data();
    List<byte[]> items = new ArrayList<>();
    if (t.dtype() == SafetensorsDtype.I8) {
      int out = (int) t.shape()[0];
      int in = (int) t.shape()[1];
      for (int j = 0; j < out; j++) {
        byte[] column = new byte[in];
        System.arraycopy(data, j * in, column, 0, in);
        items.add(vectorItem(LAYOUT_COLUMNS, ELEMENT_INT8, in, out, j, column));
      }
      return new TensorRoot(
          t.name(), LAYOUT_COLUMNS, ELEMENT_INT8, in, out, Blocks.merkleRoot(items));
    }
    int n = data.length / 4;
    for (int i = 0; i < n; i++) {
      byte[] entry = new byte[4];
      System.arraycopy(data, 4 * i, entry, 0, 4);
      items.add(vectorItem(LAYOUT_ROWS, ELEMENT_INT32, n, 1, i, entry));
    }
    return new TensorRoot(t.name(), LAYOUT_ROWS, ELEMENT_INT32, n, 1, Blocks.merkleRoot(items));
  }
}
