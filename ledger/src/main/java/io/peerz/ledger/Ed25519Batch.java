package io.peerz.ledger;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.engines.ChaChaEngine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * Ed25519 verification of many signatures at once, with the outcome of {@link Ed25519#verify} on
 * every item, cheaper per signature than verifying them one by one. An instance remembers the
 * decompressed points of recent keys and draws its weights from a key stream per thread; one per
 * node, held by {@link TxSignatures}. Thread-safe.
 *
 * <p>Bouncy Castle 1.79 verifies cofactored: it accepts (A, M, R || S) when R's y is canonical, S <
 * L, A passes {@code checkPointFullVar} (canonical and not one of the eight points of small order),
 * R and A decode (R may be of small order: that check is on A only), and [8]E is the neutral
 * element, where E = [S]B - R - [k]A and k = SHA-512(R || A || M) mod L. [8]E lies in the subgroup
 * of prime order L whatever R and A are. For n items this class draws independent uniform 128-bit
 * z_i and tests, with one multi-scalar multiplication ({@link Pippenger}),
 *
 * <pre>
 *   [8]( [-(sum z_i·S_i) mod L]B + sum [z_i]R_i + sum [z_i·k_i mod L]A_i ) = -sum [z_i][8]E_i == 0
 * </pre>
 *
 * <p>(reducing the scalar of A_i mod L changes its term by a multiple of [L]A_i, a point of order
 * dividing 8 that [8] removes; the scalars of one key are summed). When every item is valid each
 * [8]E_i is 0 and the test holds. When item j is invalid, [8]E_j has order L, so for any values of
 * the other z_i at most one residue of z_j mod L makes the test hold: it holds with probability at
 * most 2^-128. A failing batch is halved and the halves tested again with the same z_i (see {@code
 * settleFailed}); the sets tested are ranges of a fixed binary tree, at most 2n of them, so the
 * chance that any invalid item is accepted is at most 2n·2^-128. Because both the single check and
 * the batch check are cofactored, they agree; this is the argument of Zcash's ZIP 215 and
 * ed25519-zebra's batch verification.
 *
 * <p>Determinism: the result never depends on the batch's composition or order, on the thread, or
 * on the random draw, beyond that 2n·2^-128 bound. The z_i come from a ChaCha20 key stream per
 * thread keyed by {@link SecureRandom}, never from the inputs, so an attacker cannot choose
 * signatures that cancel. Items that fail a pre-check, batches smaller than {@link #MIN_BATCH} and
 * the pieces of a failing batch smaller than that are decided by {@link Ed25519#verify} alone.
 */
public final class Ed25519Batch {
  /**
   * Below this many items verification one by one is as cheap: measured on one core, the batch
   * costs 1.1 times single verification per signature at 4, 1.0 at 5, 0.93 at 6 and 0.83 at 8.
   */
  static final int MIN_BATCH = 6;

  // 32-byte keys and about 400 bytes of point each: under 2 MiB.
  private static final int KEY_CACHE_CAPACITY = 4096;

  /** The order L of the base point, 2^252 + 27742317777372353535851937790883648493. */
  private static final BigInteger L =
      BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));

  /** The base point B, y = 4/5 with x positive. */
  private static final EdwardsPoint.Affine BASE =
      EdwardsPoint.decode(
          Hex.decode("5866666666666666666666666666666666666666666666666666666666666666"));

  private final Map<ByteBuffer, EdwardsPoint.Affine> keys =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, EdwardsPoint.Affine> eldest) {
          return size() > KEY_CACHE_CAPACITY;
        }
      };

  private final ThreadLocal<ChaChaEngine> weights =
      ThreadLocal.withInitial(Ed25519Batch::keyStream);

  /** A verifier with an empty memory of keys. */
  public Ed25519Batch() {}

  /**
   * For each i, whether {@code signatures.get(i)} is a valid signature of {@code messages.get(i)}
   * by {@code publicKeys.get(i)}: always what {@link Ed25519#verify} answers for that item. Wrong
   * lengths and nulls give false, never an exception.
   *
   * @throws IllegalArgumentException when the three lists differ in size
   */
  public boolean[] verify(List<byte[]> publicKeys, List<byte[]> messages, List<byte[]> signatures) {
    int n = publicKeys.size();
    if (messages.size() != n || signatures.size() != n) {
      throw new IllegalArgumentException(
          "sizes differ: "
              + n
              + " keys, "
              + messages.size()
              + " messages, "
              + signatures.size()
              + " signatures");
    }
    Verdicts verdicts = new Verdicts(publicKeys, messages, signatures);
    List<Item> batch = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Item item =
          n < MIN_BATCH ? null : prepare(i, publicKeys.get(i), messages.get(i), signatures.get(i));
      if (item == null) {
        verdicts.verifySingly(i);
      } else {
        batch.add(item);
      }
    }
    drawWeights(batch);
    verdicts.settle(batch);
    return verdicts.valid;
  }

  /**
   * The batch test alone, without single verification: whether every item passes the pre-checks and
   * the one batch equation holds for all of them together. For tests that must see the batch path
   * decide, not the fallback.
   */
  boolean batchHolds(List<byte[]> publicKeys, List<byte[]> messages, List<byte[]> signatures) {
    List<Item> batch = new ArrayList<>(publicKeys.size());
    for (int i = 0; i < publicKeys.size(); i++) {
      Item item = prepare(i, publicKeys.get(i), messages.get(i), signatures.get(i));
      if (item == null) {
        return false;
      }
      batch.add(item);
    }
    drawWeights(batch);
    return holds(batch);
  }

  /**
   * One signature that passed every pre-check: its decoded R and A, S and k, and once drawn its
   * weight z with the products z·k mod L and z·S.
   */
  private static final class Item {
    final int index;
    final EdwardsPoint.Affine r;
    final EdwardsPoint.Affine a;
    final BigInteger s;
    final BigInteger k;
    long[] z;
    BigInteger zk;
    BigInteger zs;

    Item(int index, EdwardsPoint.Affine r, EdwardsPoint.Affine a, BigInteger s, BigInteger k) {
      this.index = index;
      this.r = r;
      this.a = a;
      this.s = s;
      this.k = k;
    }
  }

  /**
   * The item, or null when it fails one of Bouncy Castle's pre-checks (lengths, S < L, A and R
   * decoding, A of small order) and must go to single verification, which rejects it.
   */
  private Item prepare(int index, byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey == null
        || message == null
        || signature == null
        || publicKey.length != Ed25519.KEY_LENGTH
        || signature.length != Ed25519.SIGNATURE_LENGTH) {
      return null;
    }
    BigInteger s = littleEndian(signature, 32, 32);
    if (s.compareTo(L) >= 0) {
      return null;
    }
    EdwardsPoint.Affine a = publicPoint(publicKey);
    if (a == null) {
      return null;
    }
    EdwardsPoint.Affine r = EdwardsPoint.decode(Arrays.copyOf(signature, 32));
    if (r == null) {
      return null;
    }
    SHA512Digest digest = new SHA512Digest();
    digest.update(signature, 0, 32);
    digest.update(publicKey, 0, 32);
    digest.update(message, 0, message.length);
    byte[] h = new byte[64];
    digest.doFinal(h, 0);
    return new Item(index, r, a, s, littleEndian(h, 0, 64).mod(L));
  }

  /**
   * The decoded public key, from the cache when it is there; null when the key does not decode or
   * is of small order (Bouncy Castle rejects both). Only keys that decode are cached.
   */
  private EdwardsPoint.Affine publicPoint(byte[] publicKey) {
    ByteBuffer key = ByteBuffer.wrap(publicKey.clone());
    synchronized (keys) {
      EdwardsPoint.Affine cached = keys.get(key);
      if (cached != null) {
        return cached;
      }
    }
    EdwardsPoint.Affine point = EdwardsPoint.decode(publicKey);
    if (point == null || EdwardsPoint.smallOrder(point)) {
      return null;
    }
    synchronized (keys) {
      keys.put(key, point);
    }
    return point;
  }

  /** Gives each item its random 128-bit weight z and the products z·k mod L and z·S. */
  private void drawWeights(List<Item> items) {
    byte[] random = new byte[16 * items.size()];
    weights.get().processBytes(random, 0, random.length, random, 0);
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      BigInteger z = littleEndian(random, 16 * i, 16);
      item.z = words(z);
      item.zk = z.multiply(item.k).mod(L);
      item.zs = z.multiply(item.s);
    }
  }

  /** The verdicts of one call, filled by the batch test and by single verification. */
  private static final class Verdicts {
    final List<byte[]> publicKeys;
    final List<byte[]> messages;
    final List<byte[]> signatures;
    final boolean[] valid;

    Verdicts(List<byte[]> publicKeys, List<byte[]> messages, List<byte[]> signatures) {
      this.publicKeys = publicKeys;
      this.messages = messages;
      this.signatures = signatures;
      this.valid = new boolean[publicKeys.size()];
    }

    /** Decides the items: all valid when their batch test holds, else as {@link #settleFailed}. */
    void settle(List<Item> items) {
      if (holdsAsBatch(items)) {
        markValid(items);
      } else {
        settleFailed(items);
      }
    }

    /**
     * Decides the items of a batch whose test failed, by its halves. When one half holds, the other
     * holds the invalid items and is halved again (without its test, which must fail: the two
     * halves' sums add up to the whole's). When neither holds, invalid items are dense and halving
     * further would cost more than it saves: both halves are verified singly, as are halves below
     * {@link #MIN_BATCH}.
     */
    void settleFailed(List<Item> failed) {
      int half = failed.size() / 2;
      List<Item> first = failed.subList(0, half);
      List<Item> second = failed.subList(half, failed.size());
      if (holdsAsBatch(first)) {
        markValid(first);
        settleFailed(second);
      } else if (holdsAsBatch(second)) {
        markValid(second);
        settleFailed(first);
      } else {
        first.forEach(item -> verifySingly(item.index));
        second.forEach(item -> verifySingly(item.index));
      }
    }

    void verifySingly(int i) {
      valid[i] = Ed25519.verify(publicKeys.get(i), messages.get(i), signatures.get(i));
    }

    private void markValid(List<Item> items) {
      for (Item item : items) {
        valid[item.index] = true;
      }
    }

    private static boolean holdsAsBatch(List<Item> items) {
      return items.size() >= MIN_BATCH && holds(items);
    }
  }

  /**
   * The batch test: whether [8]([-(sum z·S) mod L]B + sum [z]R + sum [z·k mod L]A) is the neutral
   * element, the scalars of one key (one cached point) summed into one term.
   */
  private static boolean holds(List<Item> items) {
    int n = items.size();
    EdwardsPoint.Affine[] points = new EdwardsPoint.Affine[2 * n + 1];
    long[][] scalars = new long[2 * n + 1][];
    Map<EdwardsPoint.Affine, Integer> slots = new IdentityHashMap<>();
    BigInteger[] keyScalars = new BigInteger[2 * n + 1];
    BigInteger zs = BigInteger.ZERO;
    points[0] = BASE;
    int count = 1;
    for (Item item : items) {
      zs = zs.add(item.zs);
      points[count] = item.r;
      scalars[count++] = item.z;
    }
    for (Item item : items) {
      Integer slot = slots.get(item.a);
      if (slot == null) {
        slots.put(item.a, count);
        points[count] = item.a;
        keyScalars[count++] = item.zk;
      } else {
        keyScalars[slot] = keyScalars[slot].add(item.zk);
      }
    }
    for (int j = n + 1; j < count; j++) {
      scalars[j] = words(keyScalars[j].mod(L));
    }
    scalars[0] = words(zs.negate().mod(L));
    EdwardsPoint sum = Pippenger.sum(points, scalars, count);
    sum.timesEight();
    return sum.isNeutral();
  }

  /** A ChaCha20 key stream keyed and started at a random nonce by a fresh {@link SecureRandom}. */
  private static ChaChaEngine keyStream() {
    SecureRandom seed = new SecureRandom();
    byte[] key = new byte[32];
    byte[] nonce = new byte[8];
    seed.nextBytes(key);
    seed.nextBytes(nonce);
    ChaChaEngine engine = new ChaChaEngine(20);
    engine.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
    return engine;
  }

  /** The non-negative integer of {@code length} little-endian bytes. */
  private static BigInteger littleEndian(byte[] bytes, int offset, int length) {
    byte[] bigEndian = new byte[length];
    for (int i = 0; i < length; i++) {
      bigEndian[i] = bytes[offset + length - 1 - i];
    }
    return new BigInteger(1, bigEndian);
  }

  /** The four little-endian 64-bit words of an integer in [0, 2^256). */
  private static long[] words(BigInteger v) {
    long[] words = new long[4];
    for (int i = 0; i < 4; i++) {
      words[i] = v.shiftRight(64 * i).longValue();
    }
    return words;
  }
}
