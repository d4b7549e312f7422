package io.peerz.attest;

/** A row-major int32 matrix (the array is kept by reference). */
public record Int32Matrix(int rows, int cols, int[] data) {
  /** Checks that data holds rows x cols entries. */
  public Int32Matrix {
    if (rows <= 0 || cols <= 0 || (long) rows * cols != data.length) {
      throw new IllegalArgumentException(
          rows + " x " + cols + " int32 matrix with " + data.length + " entries");
    }
  }
}
