package io.peerz.ledger;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tx decoding and signature verification done once per node: a bounded memory of the hashes of txs
 * whose signature verified, filled by CheckTx and read by FinalizeBlock (and by the mempool's
 * recheck after every block), and parallel verification of a batch on a pool of its own. The tx
 * hash is the SHA-256 of the canonical tx bytes, which hold the body (with the signer's key) and
 * the signature, so a remembered hash answers exactly what verifying again would: the state machine
 * stays deterministic. Only valid results are kept. One instance per node, owned by whoever wires
 * it (the node hands it to the state machine, the mempool, tx gossip and RPC); thread-safe.
 */
public final class TxSignatures implements AutoCloseable {

  // Several blocks of txs plus a full mempool in each of two generations; 32-byte keys, a few MiB.
  private static final int GENERATION = 1 << 16;
  // Signatures per batch: a longer list (a block's txs) is cut into chunks for all cores, and
  // shorter lists that callers wait on at the same time are verified together up to this many.
  private static final int BATCH_MAX = 1024;

  // Read by every check of every tx (CheckTx, the recheck after each block, FinalizeBlock) on the
  // RPC, gossip and consensus threads at once: without a lock on that path.
  private final RecentMemory<ByteBuffer, Boolean> verified = new RecentMemory<>(GENERATION);

  private final AtomicLong verifications = new AtomicLong();

  private final Ed25519Batch batch = new Ed25519Batch();

  /**
   * Decoded txs by their bytes. A node decodes each tx when it arrives (RPC or gossip), in CheckTx,
   * in every mempool recheck after a block, to verify the block's signatures and to execute it;
   * decoding is two parses, a canonical re-encoding and two SHA-256. Decoding is a function of the
   * bytes, so a cached answer is the same answer. Small on purpose: 8,192 txs at most cover a tx
   * from its arrival to its CheckTx, and to its block when the mempool is short; measured with
   * 65,536 the collector's work on the retained txs cost as much as the decodes saved. The txs
   * waiting in the mempool are held apart ({@link #hold}), however many: only they are read again
   * after a block (the recheck) and by the block that includes them.
   */
  private final DecodeCache decoded = new DecodeCache(1 << 12);

  private final ForkJoinPool pool =
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

  /** A memory and a pool of one thread per core, both empty until used. */
  public TxSignatures() {}

  /** {@link Transactions#decode}, remembered for the txs of the node's recent traffic. */
  public SignedTx decode(byte[] raw) throws MalformedTxException {
    if (raw == null || raw.length == 0) {
      throw new MalformedTxException("tx is empty");
    }
    return decoded.get(raw);
  }

  /**
   * Keeps the decoding of {@code raw} until {@link #release}, beyond the recent traffic's memory:
   * the mempool holds each tx it keeps, which it re-checks after every block and which a block
   * executes. Bytes that do not decode are not held. The caller must not change {@code raw} while
   * it is held: reads with the same array find the decoding by the array, without its bytes.
   */
  public void hold(byte[] raw) {
    try {
      decoded.hold(raw);
    } catch (MalformedTxException | RuntimeException e) {
      // Nothing to keep: CheckTx refuses such bytes, so they never wait in a mempool.
    }
  }

  /** Ends {@link #hold} of {@code raw}; nothing when it was not held. */
  public void release(byte[] raw) {
    decoded.release(raw);
  }

  /** How many txs' decodings are held ({@link #hold}). */
  public int held() {
    return decoded.held();
  }

  /** Whether the tx's signature verifies for its body's signer key; verified once per hash. */
  public boolean valid(SignedTx tx) {
    if (remembered(tx)) {
      return true;
    }
    verifications.incrementAndGet();
    boolean ok =
        Ed25519.verify(
            tx.body().getSignerPubKey().toByteArray(),
            tx.tx().getBody().toByteArray(),
            tx.tx().getSignature().toByteArray());
    if (ok) {
      remember(List.of(tx));
    }
    return ok;
  }

  /**
   * Verifies the signature of raw tx bytes ahead of CheckTx or FinalizeBlock, outside any lock they
   * hold, so that the later check finds it remembered. Bytes that are not a tx are left for that
   * check to reject.
   */
  public void preverify(byte[] raw) {
    SignedTx tx = decodeOrNull(raw);
    if (tx != null) {
      valid(tx);
    }
  }

  /**
   * {@link #preverify} of every tx, with {@link Ed25519Batch}: afterwards {@link #valid} finds
   * every tx of the list whose signature verifies remembered. The verdicts are those of {@link
   * Ed25519#verify}, whatever the batching. Always on the verification pool, so that however many
   * threads call at once (RPC requests, gossip) verification takes at most the pool's threads and
   * leaves the consensus thread its share of the cores. A large list is cut into chunks for all
   * cores; a small one joins the lists that other threads are waiting on, and they are verified as
   * one batch of up to {@link #BATCH_MAX} signatures, which costs less per signature (measured on
   * one core with 4,000 keys: 36 us at 100, 29 at 512, 28 at 1,024).
   */
  public void preverifyAll(List<byte[]> raws) {
    int n = raws.size();
    if (n > BATCH_MAX) {
      int chunks = Math.max((n + BATCH_MAX - 1) / BATCH_MAX, pool.getParallelism());
      int size = (n + chunks - 1) / chunks;
      List<List<byte[]>> parts = new ArrayList<>(chunks);
      for (int from = 0; from < n; from += size) {
        parts.add(raws.subList(from, Math.min(n, from + size)));
      }
      pool.submit(() -> parts.parallelStream().forEach(p -> verifyBatch(unverified(p)))).join();
      return;
    }
    List<SignedTx> pending = unverified(raws);
    if (pending.isEmpty()) {
      return;
    }
    if (ForkJoinTask.getPool() == pool) {
      verifyBatch(pending);
      return;
    }
    Waiting w = new Waiting(pending, new CompletableFuture<>());
    queue.add(w);
    if (claimDrainer()) {
      pool.execute(this::drain);
    }
    w.done().join();
  }

  /** A list of txs queued for verification and its caller's wait. */
  private record Waiting(List<SignedTx> txs, CompletableFuture<Void> done) {}

  private final ConcurrentLinkedQueue<Waiting> queue = new ConcurrentLinkedQueue<>();
  // Pool tasks draining the queue: at most one per pool thread.
  private final AtomicInteger drainers = new AtomicInteger();

  private boolean claimDrainer() {
    while (true) {
      int d = drainers.get();
      if (d >= pool.getParallelism()) {
        return false;
      }
      if (drainers.compareAndSet(d, d + 1)) {
        return true;
      }
    }
  }

  /** Takes queued lists, up to BATCH_MAX signatures at a time, and verifies them together. */
  private void drain() {
    while (true) {
      List<Waiting> taken = new ArrayList<>();
      List<SignedTx> txs = new ArrayList<>();
      Waiting w;
      while (txs.size() < BATCH_MAX && (w = queue.poll()) != null) {
        taken.add(w);
        txs.addAll(w.txs());
      }
      if (taken.isEmpty()) {
        drainers.decrementAndGet();
        // A list queued after the poll above and before the decrement found no free drainer.
        if (queue.isEmpty() || !claimDrainer()) {
          return;
        }
        continue;
      }
      try {
        verifyBatch(txs);
        taken.forEach(t -> t.done().complete(null));
      } catch (RuntimeException | Error e) {
        taken.forEach(t -> t.done().completeExceptionally(e));
      }
    }
  }

  /** The txs of the list that decode and are not remembered yet. */
  private List<SignedTx> unverified(List<byte[]> raws) {
    List<SignedTx> pending = new ArrayList<>(raws.size());
    for (byte[] raw : raws) {
      SignedTx tx = decodeOrNull(raw);
      if (tx != null && !remembered(tx)) {
        pending.add(tx);
      }
    }
    return pending;
  }

  /** Batch-verifies the txs and remembers the valid ones. */
  private void verifyBatch(List<SignedTx> pending) {
    if (pending.isEmpty()) {
      return;
    }
    List<byte[]> keys = new ArrayList<>(pending.size());
    List<byte[]> bodies = new ArrayList<>(pending.size());
    List<byte[]> signatures = new ArrayList<>(pending.size());
    for (SignedTx tx : pending) {
      keys.add(tx.body().getSignerPubKey().toByteArray());
      bodies.add(tx.tx().getBody().toByteArray());
      signatures.add(tx.tx().getSignature().toByteArray());
    }
    verifications.addAndGet(pending.size());
    boolean[] ok = batch.verify(keys, bodies, signatures);
    List<SignedTx> valid = new ArrayList<>(pending.size());
    for (int i = 0; i < ok.length; i++) {
      if (ok[i]) {
        valid.add(pending.get(i));
      }
    }
    remember(valid);
  }

  private SignedTx decodeOrNull(byte[] raw) {
    try {
      return decode(raw);
    } catch (MalformedTxException | RuntimeException e) {
      return null;
    }
  }

  boolean remembered(SignedTx tx) {
    return verified.get(ByteBuffer.wrap(tx.hash())) != null;
  }

  private void remember(List<SignedTx> txs) {
    for (SignedTx tx : txs) {
      verified.put(ByteBuffer.wrap(tx.hash()), Boolean.TRUE);
    }
  }

  /** Ed25519 verifications run so far by this instance (cache misses). */
  public long verifications() {
    return verifications.get();
  }

  /** Forgets every remembered signature (for tests and benchmarks that measure verification). */
  public void clear() {
    verified.clear();
  }

  /** Stops the pool's threads; verification on the caller's thread still works. */
  @Override
  public void close() {
    pool.shutdown();
  }
}
