package io.peerz.attest;

/** A row-major int8 matrix (the array is kept by reference). */
public record Int8Matrix(int rows, int cols, byte[] data) {
  /** Checks that data holds rows x cols entries. */
  public Int8Matrix {
    if (rows <= 0 || cols <= 0 || (long) rows * cols != data.length) {
      throw new IllegalArgumentException(
          rows + " x " + cols + " int8 matrix with " + data.length + " entries");
    }
  }
}
