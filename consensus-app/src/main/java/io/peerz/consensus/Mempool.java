package io.peerz.consensus;

import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.TxSignatures;
import io.peerz.ledger.proto.TxResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Txs waiting for a block: first in, first out, deduplicated by hash, bounded in count and bytes.
 * Each tx passes the application's CheckTx on entry; after every commit the included txs leave and
 * the rest are re-checked against the fresh check state. Thread-safe.
 */
public final class Mempool {

  /** The most txs the node's mempool holds. */
  public static final int MAX_TXS = 50_000;

  /** The most bytes of txs the node's mempool holds. */
  public static final long MAX_BYTES = 64L << 20;

  /** The largest tx the node's mempool takes. */
  public static final int MAX_TX_BYTES = 1 << 20;

  /** The codespace of mempool refusals (docs/errors.md). */
  public static final String CODESPACE = "mempool";

  /** The mempool's own refusals (codespace {@value #CODESPACE}), as docs/errors.md lists them. */
  enum Refusal {
    TX_TOO_LARGE_FOR_MEMPOOL(1, "mempool_tx_too_large"),
    FULL_COUNT(2, "mempool_full"),
    FULL_BYTES(3, "mempool_full_bytes"),
    DUPLICATE(4, "tx_in_mempool"),
    EMPTY_TX(5, "empty_tx");

    final int code;

    /** The name in docs/errors.md. */
    final String docName;

    Refusal(int code, String docName) {
      this.code = code;
      this.docName = docName;
    }
  }

  public static final int CODE_TX_TOO_LARGE = Refusal.TX_TOO_LARGE_FOR_MEMPOOL.code;
  public static final int CODE_FULL_COUNT = Refusal.FULL_COUNT.code;
  public static final int CODE_FULL_BYTES = Refusal.FULL_BYTES.code;
  public static final int CODE_DUPLICATE = Refusal.DUPLICATE.code;
  public static final int CODE_EMPTY_TX = Refusal.EMPTY_TX.code;

  private static final Logger log = LoggerFactory.getLogger(Mempool.class);

  /** A committed tx as the mempool reports it to waiters. */
  public record Committed(long height, int index, TxResult result) {}

  /**
   * What the mempool turned away since it started, as CometBFT's mempool metrics count it: {@code
   * failed} txs CheckTx refused, {@code rejected} txs refused for lack of room, and {@code
   * rechecks} passes that re-checked the txs left after a block.
   */
  public record Counts(long failed, long rejected, long rechecks) {}

  private final Application app;
  private final java.util.function.BiFunction<List<byte[]>, byte[], TxResult> dryCheck;
  private final TxSignatures signatures;
  private final int maxTxs;
  private final long maxBytes;
  private final int maxTxBytes;
  // Insertion order is the FIFO order; the key is the hex tx hash.
  private final LinkedHashMap<String, byte[]> txs = new LinkedHashMap<>();
  private long totalBytes;
  private final Map<String, List<CompletableFuture<Committed>>> waiters = new HashMap<>();
  private final List<Runnable> txsAvailableListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong rechecks = new AtomicLong();

  /**
   * {@code dryCheck} answers check_tx given the mempool's txs, without touching the check state the
   * mempool's CheckTx advances (an accepted dry check must not consume a nonce); a tx's signature
   * is verified into {@code signatures} before the mempool's lock is taken.
   */
  public Mempool(
      Application app,
      java.util.function.BiFunction<List<byte[]>, byte[], TxResult> dryCheck,
      TxSignatures signatures,
      int maxTxs,
      long maxBytes,
      int maxTxBytes) {
    this.app = app;
    this.dryCheck = dryCheck;
    this.signatures = signatures;
    this.maxTxs = maxTxs;
    this.maxBytes = maxBytes;
    this.maxTxBytes = maxTxBytes;
  }

  /** Called (outside the mempool's lock) whenever a tx is added. */
  public void onTxsAvailable(Runnable listener) {
    txsAvailableListeners.add(listener);
  }

  /** CheckTx without adding. */
  public TxResult check(byte[] tx) {
    TxResult limits = limits(tx, null);
    if (limits != null) {
      return limits;
    }
    List<byte[]> pending;
    synchronized (this) {
      pending = new ArrayList<>(txs.values());
    }
    return dryCheck.apply(pending, tx);
  }

  /** CheckTx and, when accepted, append. */
  public TxResult add(byte[] tx) {
    // A full mempool or a duplicate is refused before the signature check, the expensive part of
    // CheckTx: verified here, by the calling thread and outside the lock, CheckTx under the lock
    // finds it remembered.
    String key = key(Transactions.hash(tx));
    TxResult refused = limits(tx, key);
    if (refused != null) {
      return counted(refused);
    }
    signatures.preverify(tx);
    TxResult result;
    synchronized (this) {
      result = limits(tx, key);
      if (result == null) {
        result = app.checkTx(tx, Application.CheckTxKind.NEW);
        if (result.getCode() == 0) {
          byte[] kept = tx.clone();
          txs.put(key, kept);
          totalBytes += tx.length;
          // Its decoding stays while it waits: the recheck after every block and the block that
          // includes it read it again, and a large mempool would push it out of the recent memory.
          signatures.hold(kept);
        } else {
          failed.incrementAndGet();
        }
      } else {
        counted(result);
      }
    }
    if (result.getCode() == 0) {
      txsAvailableListeners.forEach(Runnable::run);
    }
    return result;
  }

  /** Counts a refusal for lack of room; other limits (size, duplicates) CometBFT counts nowhere. */
  private TxResult counted(TxResult refused) {
    if (refused.getCode() == CODE_FULL_COUNT || refused.getCode() == CODE_FULL_BYTES) {
      rejected.incrementAndGet();
    }
    return refused;
  }

  /** What the mempool turned away since it started. */
  public Counts counts() {
    return new Counts(failed.get(), rejected.get(), rechecks.get());
  }

  /** The size limits, and when adding (a key given) room and duplicates too. */
  private TxResult limits(byte[] tx, String key) {
    if (tx.length == 0) {
      return reject(CODE_EMPTY_TX, "tx is empty");
    }
    if (tx.length > maxTxBytes) {
      // A tx over the chain's params.max_tx_bytes is refused as the chain refuses it (ante/1,
      // by its size alone, no decoding): the mempool's own limit only speaks for a tx the chain
      // would take but this node does not gossip.
      TxResult chain = dryCheck.apply(List.of(), tx);
      if (chain.getCode() != 0) {
        return chain;
      }
      return reject(
          CODE_TX_TOO_LARGE,
          "tx of "
              + tx.length
              + " bytes is within params.max_tx_bytes but over this node's mempool limit of "
              + maxTxBytes
              + " bytes");
    }
    if (key == null) {
      return null;
    }
    synchronized (this) {
      if (txs.containsKey(key)) {
        return reject(CODE_DUPLICATE, "tx already exists in mempool");
      }
      if (txs.size() >= maxTxs) {
        return reject(CODE_FULL_COUNT, "mempool is full: " + txs.size() + " txs, max " + maxTxs);
      }
      if (totalBytes + tx.length > maxBytes) {
        return reject(
            CODE_FULL_BYTES,
            "mempool is full: " + totalBytes + " + " + tx.length + " bytes > max " + maxBytes);
      }
    }
    return null;
  }

  private static TxResult reject(int code, String message) {
    return TxResult.newBuilder().setCode(code).setCodespace(CODESPACE).setLog(message).build();
  }

  /** Txs in FIFO order up to {@code maxBytes} in total. */
  synchronized List<byte[]> reap(long maxBytes) {
    List<byte[]> out = new ArrayList<>();
    long bytes = 0;
    for (byte[] tx : txs.values()) {
      if (bytes + tx.length > maxBytes) {
        break;
      }
      bytes += tx.length;
      out.add(tx);
    }
    return out;
  }

  /** Whether another tx fits (by count and by bytes, for a small tx). */
  public synchronized boolean hasRoom() {
    return txs.size() < maxTxs && totalBytes < maxBytes;
  }

  public synchronized int size() {
    return txs.size();
  }

  public synchronized long totalBytes() {
    return totalBytes;
  }

  /** Up to {@code limit} txs in order. */
  public synchronized List<byte[]> head(int limit) {
    List<byte[]> out = new ArrayList<>();
    for (byte[] tx : txs.values()) {
      if (out.size() >= limit) {
        break;
      }
      out.add(tx);
    }
    return out;
  }

  /**
   * After the application committed {@code height}: drops the block's txs, re-checks the rest in
   * order against the new check state (dropping those now invalid) and completes waiters.
   */
  void update(long height, List<byte[]> blockTxs, List<TxResult> results) {
    update(height, blockTxs, results, () -> {});
  }

  /**
   * {@link #update} that first runs {@code commit} (the application's Commit, which resets its
   * check state to the new committed state) under the mempool's lock, as CometBFT locks its mempool
   * around Commit: a tx checked between the reset and the recheck would otherwise see a check state
   * without the pending txs and be refused for a nonce ahead of the account's.
   */
  void update(long height, List<byte[]> blockTxs, List<TxResult> results, Runnable commit) {
    List<Runnable> completions = new ArrayList<>();
    boolean nonEmpty;
    synchronized (this) {
      commit.run();
      for (int i = 0; i < blockTxs.size(); i++) {
        String k = key(Transactions.hash(blockTxs.get(i)));
        byte[] removed = txs.remove(k);
        if (removed != null) {
          totalBytes -= removed.length;
          signatures.release(removed);
        }
        List<CompletableFuture<Committed>> ws = waiters.remove(k);
        if (ws != null) {
          Committed c = new Committed(height, i, results.get(i));
          ws.forEach(f -> completions.add(() -> f.complete(c)));
        }
      }
      if (!txs.isEmpty()) {
        rechecks.incrementAndGet();
      }
      Iterator<Map.Entry<String, byte[]>> it = txs.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<String, byte[]> e = it.next();
        TxResult r = app.checkTx(e.getValue(), Application.CheckTxKind.RECHECK);
        if (r.getCode() != 0) {
          it.remove();
          totalBytes -= e.getValue().length;
          signatures.release(e.getValue());
          log.debug("mempool dropped tx={} code={} log={}", e.getKey(), r.getCode(), r.getLog());
        }
      }
      nonEmpty = !txs.isEmpty();
    }
    completions.forEach(Runnable::run);
    if (nonEmpty) {
      txsAvailableListeners.forEach(Runnable::run);
    }
  }

  /** Completes when the tx is seen in a committed block, or with TimeoutException after timeout. */
  public CompletableFuture<Committed> awaitCommit(byte[] txHash, Duration timeout) {
    String k = key(txHash);
    CompletableFuture<Committed> f = new CompletableFuture<>();
    synchronized (this) {
      waiters.computeIfAbsent(k, x -> new ArrayList<>()).add(f);
    }
    f.whenComplete(
        (v, e) -> {
          synchronized (this) {
            List<CompletableFuture<Committed>> ws = waiters.get(k);
            if (ws != null) {
              ws.remove(f);
              if (ws.isEmpty()) {
                waiters.remove(k);
              }
            }
          }
        });
    return f.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private static String key(byte[] hash) {
    return Hex.encode(hash);
  }
}
