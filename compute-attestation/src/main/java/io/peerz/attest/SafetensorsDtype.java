package io.peerz.attest;

/** The element types a {@code .safetensors} header may name, with their sizes in bytes. */
public enum SafetensorsDtype {
  BOOL(1),
  U8(1),
  I8(1),
  F8_E5M2(1),
  F8_E4M3(1),
  I16(2),
  U16(2),
  F16(2),
  BF16(2),
  I32(4),
  U32(4),
  F32(4),
  I64(8),
  U64(8),
  F64(8);

  private final int size;

  SafetensorsDtype(int size) {
    this.size = size;
  }

  /** Bytes per element. */
  public int size() {
    return size;
  }

  /** The type the header names {@code name} (exact, upper case), or null. */
  static SafetensorsDtype named(String name) {
    for (SafetensorsDtype d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** The names this reader knows, for error messages. */
  static String known() {
    StringBuilder b = new StringBuilder();
    for (SafetensorsDtype d : values()) {
      b.append(b.length() == 0 ? "" : ", ").append(d.name());
    }
    return b.toString();
  }
}
