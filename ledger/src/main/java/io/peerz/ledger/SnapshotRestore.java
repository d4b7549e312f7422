package io.peerz.ledger;

import io.peerz.ledger.proto.SnapshotMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Restores a state store from an offered snapshot, chunk by chunk: each chunk must hash to what the
 * (hash-committed) metadata says, pairs must ascend across chunks, and once the last chunk is in
 * the rebuilt state's Merkle root must equal the trusted app hash, or nothing is written. Not
 * thread-safe: one restore is driven by one caller.
 */
public final class SnapshotRestore {

  /** A chunk that fails its hash this many times rejects the whole snapshot. */
  static final int MAX_CHUNK_FAILURES = 3;

  /** What applying one chunk did. */
  public enum Kind {
    /** Verified and kept; more chunks are needed. */
    ACCEPTED,
    /** The last chunk: the state is restored. */
    RESTORED,
    /** The chunk's bytes are not the snapshot's: fetch it again (from another sender). */
    REFETCH,
    /** The snapshot cannot be restored: try another. */
    REJECTED
  }

  /** The outcome of one chunk, with why for anything but success. */
  public record Step(Kind kind, String reason) {}

  private final StateStore store;
  private final StateSnapshot snapshot;
  private final SnapshotMetadata metadata;
  private final TreeMap<Integer, byte[]> pending = new TreeMap<>();
  private final Map<Integer, Integer> failures = new HashMap<>();
  private final List<StateStore.Entry> entries = new ArrayList<>();
  private int next;
  private boolean finished;

  private SnapshotRestore(StateStore store, StateSnapshot snapshot, SnapshotMetadata metadata) {
    this.store = store;
    this.snapshot = snapshot;
    this.metadata = metadata;
  }

  /**
   * Starts restoring {@code offered} into {@code store}; throws IllegalArgumentException, saying
   * why, when the snapshot is not format {@value StateSnapshot#FORMAT}, its metadata does not match
   * its hash, or its app hash is not {@code trustedAppHash}.
   */
  public static SnapshotRestore begin(
      StateStore store, StateSnapshot offered, byte[] trustedAppHash) {
    if (offered.format() != StateSnapshot.FORMAT) {
      throw new IllegalArgumentException(
          "snapshot format " + offered.format() + " is not " + StateSnapshot.FORMAT);
    }
    SnapshotMetadata m = offered.decodeMetadata();
    if (!Arrays.equals(m.getAppHash().toByteArray(), trustedAppHash)) {
      throw new IllegalArgumentException(
          "snapshot app hash "
              + Hex.encodeUpper(m.getAppHash().toByteArray())
              + " is not the trusted app hash "
              + Hex.encodeUpper(trustedAppHash == null ? new byte[0] : trustedAppHash));
    }
    if (offered.chunks() < 1) {
      throw new IllegalArgumentException("snapshot has no chunks");
    }
    return new SnapshotRestore(store, offered, m);
  }

  public StateSnapshot snapshot() {
    return snapshot;
  }

  /** Chunks verified and applied so far, in order. */
  public int applied() {
    return next;
  }

  /** Applies chunk {@code index}; chunks may come in any order and again. */
  public Step apply(int index, byte[] chunk) {
    if (finished) {
      return new Step(Kind.REJECTED, "the snapshot is already restored or rejected");
    }
    if (index < 0 || index >= snapshot.chunks()) {
      return reject("chunk index " + index + " is outside 0.." + (snapshot.chunks() - 1));
    }
    if (index < next || pending.containsKey(index)) {
      return new Step(Kind.ACCEPTED, "chunk " + index + " was already applied");
    }
    byte[] want = metadata.getChunkHashes(index).toByteArray();
    if (!Arrays.equals(Sha256.hash(chunk), want)) {
      int n = failures.merge(index, 1, Integer::sum);
      if (n >= MAX_CHUNK_FAILURES) {
        return reject("chunk " + index + " failed its hash " + n + " times");
      }
      return new Step(
          Kind.REFETCH,
          "chunk " + index + " does not hash to " + Hex.encodeUpper(want) + " (try " + n + ")");
    }
    pending.put(index, chunk);
    while (!pending.isEmpty() && pending.firstKey() == next) {
      List<StateStore.Entry> decoded;
      try {
        decoded = StateSnapshot.entries(pending.pollFirstEntry().getValue());
      } catch (IllegalArgumentException e) {
        return reject("chunk " + next + ": " + e.getMessage());
      }
      for (StateStore.Entry e : decoded) {
        if (!entries.isEmpty()
            && Arrays.compareUnsigned(entries.get(entries.size() - 1).key(), e.key()) >= 0) {
          return reject("chunk " + next + ": keys do not ascend at " + Hex.encode(e.key()));
        }
        entries.add(e);
      }
      next++;
    }
    if (next < snapshot.chunks()) {
      return new Step(Kind.ACCEPTED, "");
    }
    if (entries.size() != metadata.getEntries()) {
      return reject(
          "snapshot holds "
              + entries.size()
              + " pairs, its metadata says "
              + metadata.getEntries());
    }
    try {
      store.restore(snapshot.height(), metadata.getAppHash().toByteArray(), entries);
    } catch (IllegalArgumentException e) {
      return reject(e.getMessage());
    }
    finished = true;
    entries.clear();
    return new Step(Kind.RESTORED, "");
  }

  private Step reject(String reason) {
    finished = true;
    entries.clear();
    pending.clear();
    return new Step(Kind.REJECTED, reason);
  }
}
