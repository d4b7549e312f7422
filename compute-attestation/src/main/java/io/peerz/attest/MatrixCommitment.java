package io.peerz.attest;

import com.google.protobuf.ByteString;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.ElementType;
import io.peerz.attest.proto.MatrixLayout;
import io.peerz.attest.proto.MatrixVector;
import io.peerz.ledger.Sha256;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * A matrix committed by the Merkle root of its rows or of its columns (A and C by rows, B by
 * columns, so that one entry of C = A x B is provable from one row of A, one column of B and one
 * row of C). Leaf v is SHA-256(0x00 || layout || element type || rows (u32 BE) || cols (u32 BE) ||
 * v (u32 BE) || vector bytes): the index pins a vector to its position and the shape binds it to
 * this matrix, so neither a vector of another position nor of a matrix of another shape or layout
 * proves. The tree is RFC 6962's, as {@link OutputCommitment}'s. int8 vectors are their bytes;
 * int32 vectors are little-endian.
 */
public final class MatrixCommitment {
  private final CommittedMatrix committed;
  private final IntFunction<byte[]> vectors;
  private final Rfc6962Tree tree;

  private MatrixCommitment(CommittedMatrix shape, IntFunction<byte[]> vectors) {
    int count = vectorCount(shape);
    byte[][] leaves = new byte[count][];
    IntStream.range(0, count)
        .parallel()
        .forEach(v -> leaves[v] = leafHash(shape, v, vectors.apply(v)));
    this.tree = Rfc6962Tree.of(leaves);
    this.committed = shape.toBuilder().setRoot(ByteString.copyFrom(tree.root())).build();
    this.vectors = vectors;
  }

  /** An int8 matrix (row-major {@code data}, kept by reference) committed by rows. */
  public static MatrixCommitment int8Rows(String name, int rows, int cols, byte[] data) {
    checkSize(rows, cols, data.length);
    return new MatrixCommitment(
        shape(name, rows, cols, ElementType.ELEMENT_TYPE_INT8, MatrixLayout.MATRIX_LAYOUT_ROWS),
        r -> Arrays.copyOfRange(data, r * cols, (r + 1) * cols));
  }

  /** An int8 matrix (row-major {@code data}, kept by reference) committed by columns. */
  public static MatrixCommitment int8Columns(String name, int rows, int cols, byte[] data) {
    checkSize(rows, cols, data.length);
    return new MatrixCommitment(
        shape(name, rows, cols, ElementType.ELEMENT_TYPE_INT8, MatrixLayout.MATRIX_LAYOUT_COLUMNS),
        c -> column(data, rows, cols, c));
  }

  /** An int32 matrix (row-major {@code data}, kept by reference) committed by rows. */
  public static MatrixCommitment int32Rows(String name, int rows, int cols, int[] data) {
    checkSize(rows, cols, data.length);
    return new MatrixCommitment(
        shape(name, rows, cols, ElementType.ELEMENT_TYPE_INT32, MatrixLayout.MATRIX_LAYOUT_ROWS),
        r -> littleEndian(data, r * cols, cols));
  }

  /** The description of a matrix before its root is known. */
  public static CommittedMatrix shape(
      String name, int rows, int cols, ElementType type, MatrixLayout layout) {
    return CommittedMatrix.newBuilder()
        .setName(name)
        .setRows(rows)
        .setCols(cols)
        .setElementType(type)
        .setLayout(layout)
        .build();
  }

  /** The committed matrix: name, shape, element type, layout and root. */
  public CommittedMatrix committed() {
    return committed;
  }

  /** The 32-byte root (a copy). */
  public byte[] root() {
    return tree.root();
  }

  /** Vector {@code index} (a row or a column) as committed. */
  public byte[] vector(int index) {
    checkIndex(index);
    return vectors.apply(index);
  }

  /** Vector {@code index} with its Merkle proof. */
  public MatrixVector prove(int index) {
    checkIndex(index);
    MatrixVector.Builder v =
        MatrixVector.newBuilder().setIndex(index).setData(ByteString.copyFrom(vector(index)));
    for (byte[] aunt : tree.aunts(index)) {
      v.addAunts(ByteString.copyFrom(aunt));
    }
    return v.build();
  }

  /**
   * Null when {@code v} is vector {@code v.index} of {@code committed} (its length is the vector's,
   * its index in range, its proof leads to the root), else why not.
   */
  public static String check(CommittedMatrix committed, MatrixVector v) {
    long count = vectorCount(committed);
    long index = Integer.toUnsignedLong(v.getIndex());
    if (index >= count) {
      return String.format(
          "%s index %d is outside 0..%d of %s",
          noun(committed), index, count - 1, describe(committed));
    }
    if (v.getData().size() != vectorBytes(committed)) {
      return String.format(
          "%s %d of %s is %d bytes, expected %d",
          noun(committed), index, committed.getName(), v.getData().size(), vectorBytes(committed));
    }
    List<byte[]> aunts = new ArrayList<>(v.getAuntsCount());
    v.getAuntsList().forEach(a -> aunts.add(a.toByteArray()));
    byte[] computed =
        Rfc6962Tree.rootFromAunts(
            (int) index,
            (int) count,
            leafHash(committed, (int) index, v.getData().toByteArray()),
            aunts);
    if (computed == null || !Arrays.equals(computed, committed.getRoot().toByteArray())) {
      return String.format(
          "%s %d's Merkle proof does not lead to the root of %s",
          noun(committed), index, committed.getName());
    }
    return null;
  }

  /** The leaf hash of vector {@code index} of a matrix of this shape. */
  public static byte[] leafHash(CommittedMatrix shape, int index, byte[] data) {
    byte[] head = new byte[2 + 4 + 4 + 4];
    head[0] = (byte) shape.getLayoutValue();
    head[1] = (byte) shape.getElementTypeValue();
    GemmInputs.putInt(head, 2, shape.getRows());
    GemmInputs.putInt(head, 6, shape.getCols());
    GemmInputs.putInt(head, 10, index);
    return Sha256.hash(Rfc6962Tree.LEAF_PREFIX, head, data);
  }

  /** How many leaves: rows for a matrix by rows, columns for one by columns. */
  public static int vectorCount(CommittedMatrix m) {
    return m.getLayout() == MatrixLayout.MATRIX_LAYOUT_COLUMNS ? m.getCols() : m.getRows();
  }

  /** The bytes of one leaf's vector. */
  public static long vectorBytes(CommittedMatrix m) {
    long entries =
        Integer.toUnsignedLong(
            m.getLayout() == MatrixLayout.MATRIX_LAYOUT_COLUMNS ? m.getRows() : m.getCols());
    return entries * elementBytes(m.getElementType());
  }

  /** 1 for int8, 4 for int32. */
  public static int elementBytes(ElementType t) {
    return switch (t) {
      case ELEMENT_TYPE_INT8 -> 1;
      case ELEMENT_TYPE_INT32 -> 4;
      default -> throw new IllegalArgumentException("no element type " + t);
    };
  }

  /** e.g. "a (768 x 512 int8, by rows)". */
  public static String describe(CommittedMatrix m) {
    return m.getName()
        + " ("
        + Integer.toUnsignedLong(m.getRows())
        + " x "
        + Integer.toUnsignedLong(m.getCols())
        + " "
        + (m.getElementType() == ElementType.ELEMENT_TYPE_INT32 ? "int32" : "int8")
        + ", by "
        + (m.getLayout() == MatrixLayout.MATRIX_LAYOUT_COLUMNS ? "columns" : "rows")
        + ")";
  }

  /** Entry {@code at} of a little-endian int32 vector. */
  public static int int32At(byte[] vector, int at) {
    int p = 4 * at;
    return (vector[p] & 0xff)
        | ((vector[p + 1] & 0xff) << 8)
        | ((vector[p + 2] & 0xff) << 16)
        | ((vector[p + 3] & 0xff) << 24);
  }

  private static String noun(CommittedMatrix m) {
    return m.getLayout() == MatrixLayout.MATRIX_LAYOUT_COLUMNS ? "column" : "row";
  }

  private void checkIndex(int index) {
    if (index < 0 || index >= tree.total()) {
      throw new IllegalArgumentException(
          "vector " + index + " outside 0.." + (tree.total() - 1) + " of " + describe(committed));
    }
  }

  private static void checkSize(int rows, int cols, int length) {
    if (rows <= 0 || cols <= 0 || (long) rows * cols != length) {
      throw new IllegalArgumentException(
          "a "
              + rows
              + " x "
              + cols
              + " matrix needs "
              + (long) rows * cols
              + " entries, got "
              + length);
    }
  }

  private static byte[] column(byte[] data, int rows, int cols, int c) {
    byte[] out = new byte[rows];
    for (int r = 0; r < rows; r++) {
      out[r] = data[r * cols + c];
    }
    return out;
  }

  static byte[] littleEndian(int[] data, int from, int count) {
    byte[] out = new byte[4 * count];
    for (int j = 0; j < count; j++) {
      int v = data[from + j];
      out[4 * j] = (byte) v;
      out[4 * j + 1] = (byte) (v >>> 8);
      out[4 * j + 2] = (byte) (v >>> 16);
      out[4 * j + 3] = (byte) (v >>> 24);
    }
    return out;
  }
}
