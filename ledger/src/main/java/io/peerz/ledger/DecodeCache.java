package io.peerz.ledger;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bounded, thread-safe memory of {@link Transactions#decode} results by tx bytes, for txs that
 * decode: the recent ones ({@link RecentMemory}, two generations of at most {@code generation}
 * entries each) and, besides them, the txs a holder (the mempool) keeps waiting are held until
 * released, however many: the mempool re-checks each of them after every block and the block
 * executes them, and a full mempool or a large block would otherwise push them out of the
 * generations before their next use (profiled on a loaded 4-validator testnet: a fifth of the
 * consensus thread re-decoded txs, docs/BENCHMARKS.md). The keys are copies of the bytes, hashed
 * with a per-process random seed, so that neither a caller changing its array nor chosen bytes can
 * mislead it; only a holder, which must not change the array it holds by, reads by that array.
 */
final class DecodeCache {
  private static final long SEED = new SecureRandom().nextLong();

  private final RecentMemory<Key, SignedTx> recent;
  private final ConcurrentHashMap<Key, Held> held = new ConcurrentHashMap<>();
  // The held txs again, by the holder's own array: the holder reads them with that array (the
  // mempool's recheck after every block), found without hashing and comparing the bytes.
  private final ConcurrentHashMap<SameArray, SignedTx> heldArrays = new ConcurrentHashMap<>();

  DecodeCache(int generation) {
    this.recent = new RecentMemory<>(generation);
  }

  /** The decoded tx, decoding (and remembering) it if it is not known. */
  SignedTx get(byte[] bytes) throws MalformedTxException {
    SignedTx tx = heldArrays.get(new SameArray(bytes));
    if (tx != null) {
      return tx;
    }
    Key probe = new Key(bytes, hash(bytes));
    Held h = held.get(probe);
    if (h != null) {
      return h.tx;
    }
    tx = recent.get(probe);
    if (tx != null) {
      return tx;
    }
    tx = Transactions.decode(bytes);
    recent.put(new Key(bytes.clone(), probe.hash), tx);
    return tx;
  }

  /**
   * Keeps {@code bytes}' decoding until {@link #release}; throws for bytes that do not decode. The
   * caller must not change the array while it is held: reads with this same array find the decoding
   * by the array alone.
   */
  void hold(byte[] bytes) throws MalformedTxException {
    SignedTx tx = get(bytes);
    Held previous = held.put(new Key(bytes.clone(), hash(bytes)), new Held(tx, bytes));
    if (previous != null) {
      heldArrays.remove(new SameArray(previous.array));
    }
    heldArrays.put(new SameArray(bytes), tx);
  }

  /**
   * Lets {@code bytes}' decoding go with the generations again (whichever array with these bytes
   * held it); nothing when it was not held.
   */
  void release(byte[] bytes) {
    Held h = held.remove(new Key(bytes, hash(bytes)));
    if (h != null) {
      heldArrays.remove(new SameArray(h.array));
    }
  }

  /** How many txs are held. */
  int held() {
    return held.size();
  }

  private static int hash(byte[] b) {
    return ByteArrayHash.of(SEED, b);
  }

  /** A held tx's decoding and the array its holder holds it by. */
  private record Held(SignedTx tx, byte[] array) {}

  /** An array as a key by identity: equal only to itself, whatever its bytes. */
  private record SameArray(byte[] array) {
    @Override
    public boolean equals(Object o) {
      return o instanceof SameArray s && s.array == array;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(array);
    }

    @Override
    public String toString() {
      return "SameArray[" + array.length + " bytes]";
    }
  }

  private record Key(byte[] bytes, int hash) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return "Key[" + bytes.length + " bytes]";
    }
  }
}
