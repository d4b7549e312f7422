package io.peerz.attest;

/** The NumPy element types a .npy header may name that peerz reads (kind and size). */
public enum NpyDtype {
  INT8('i', 1),
  UINT8('u', 1),
  INT16('i', 2),
  INT32('i', 4),
  INT64('i', 8),
  FLOAT32('f', 4),
  FLOAT64('f', 8);

  private final char kind;
  private final int size;

  NpyDtype(char kind, int size) {
    this.kind = kind;
    this.size = size;
  }

  /** Bytes per element. */
  public int size() {
    return size;
  }

  /** NumPy's name: int8, uint8, int16, int32, int64, float32, float64. */
  public String numpyName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The type of kind ('i', 'u', 'f') and size, or null. */
  static NpyDtype of(char kind, int size) {
    for (NpyDtype d : values()) {
      if (d.kind == kind && d.size == size) {
        return d;
      }
    }
    return null;
  }
}
