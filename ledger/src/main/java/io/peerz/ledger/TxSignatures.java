package io.peerz.ledger;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tx signature verification done once per process: a bounded memory of the hashes of txs whose
 * signature verified, filled by CheckTx and read by FinalizeBlock (and by the mempool's recheck
 * after every block), and parallel verification of a batch. The tx hash is the SHA-256 of the
 * canonical tx bytes, which hold the body (with the signer's key) and the signature, so a
 * remembered hash answers exactly what verifying again would: the state machine stays
 * deterministic. Only valid results are kept. Thread-safe.
 */
public final class TxSignatures {
  private TxSignatures() {}

  // Several blocks of txs plus a full mempool; 32-byte keys, a few MiB in all.
  private static final int CAPACITY = 1 << 17;
  private static final int PARALLEL_MIN = 16;

  private static final Map<ByteBuffer, Boolean> VALID =
      new LinkedHashMap<>(4096, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
          return size() > CAPACITY;
        }
      };

  private static final AtomicLong VERIFICATIONS = new AtomicLong();

  private static final ForkJoinPool POOL =
      new ForkJoinPool(
          Runtime.getRuntime().availableProcessors(),
          pool -> {
            ForkJoinWorkerThread t =
                ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("tx-verify-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
          },
          null,
          false);

  /** Whether the tx's signature verifies for its body's signer key; verified once per hash. */
  static boolean valid(SignedTx tx) {
    ByteBuffer key = ByteBuffer.wrap(tx.hash());
    synchronized (VALID) {
      if (VALID.containsKey(key)) {
        return true;
      }
    }
    VERIFICATIONS.incrementAndGet();
    boolean ok =
        Ed25519.verify(
            tx.body().getSignerPubKey().toByteArray(),
            tx.tx().getBody().toByteArray(),
            tx.tx().getSignature().toByteArray());
    if (ok) {
      synchronized (VALID) {
        VALID.put(key, Boolean.TRUE);
      }
    }
    return ok;
  }

  /**
   * Verifies the signature of raw tx bytes ahead of CheckTx or FinalizeBlock, outside any lock they
   * hold, so that the later check finds it remembered. Bytes that are not a tx are left for that
   * check to reject.
   */
  public static void preverify(byte[] raw) {
    SignedTx tx;
    try {
      tx = Transactions.decode(raw);
    } catch (MalformedTxException | RuntimeException e) {
      return;
    }
    valid(tx);
  }

  /** {@link #preverify} of every tx, on all cores when there are enough of them. */
  public static void preverifyAll(List<byte[]> raws) {
    if (raws.size() < PARALLEL_MIN) {
      raws.forEach(TxSignatures::preverify);
      return;
    }
    POOL.submit(() -> raws.parallelStream().forEach(TxSignatures::preverify)).join();
  }

  /** Ed25519 verifications run so far in this process (cache misses). */
  public static long verifications() {
    return VERIFICATIONS.get();
  }

  /** Forgets every remembered signature (for tests and benchmarks that measure verification). */
  public static void clear() {
    synchronized (VALID) {
      VALID.clear();
    }
  }
}
