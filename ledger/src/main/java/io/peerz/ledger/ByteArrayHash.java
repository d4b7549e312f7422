package io.peerz.ledger;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A 32-bit hash of a byte array for in-memory maps, eight bytes at a time (ByteBuffer's and Arrays'
 * hashes go byte by byte): the committed-state cache and the decode memory key their entries by it.
 * Not a cryptographic hash; a secret {@code seed} keeps chosen bytes from colliding on purpose.
 */
final class ByteArrayHash {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private ByteArrayHash() {}

  static int of(long seed, byte[] b) {
    long h = seed ^ b.length;
    int i = 0;
    for (; i + 8 <= b.length; i += 8) {
      h = (h ^ (long) LONGS.get(b, i)) * 0x9E3779B97F4A7C15L;
      h ^= h >>> 31;
    }
    for (; i < b.length; i++) {
      h = (h ^ b[i]) * 0x9E3779B97F4A7C15L;
    }
    h ^= h >>> 29;
    return (int) (h ^ (h >>> 32));
  }
}
