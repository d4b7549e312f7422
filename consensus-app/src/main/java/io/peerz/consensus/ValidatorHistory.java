package io.peerz.consensus;

import io.peerz.ledger.proto.Validator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The validator set of every height, kept as sparse checkpoints: between two checkpoints a set only
 * rotates its priorities once per height, so any height is recomputed from the checkpoint at or
 * below it. Thread-safe.
 */
public final class ValidatorHistory {

  private static final int CHECKPOINT_EVERY = 64;

  private final TreeMap<Long, ValidatorSet> checkpoints = new TreeMap<>();
  private long lastHeight = -1;
  private ValidatorSet last;

  /** Records the set that signs {@code height}; heights arrive in increasing order. */
  synchronized void record(long height, ValidatorSet set) {
    ValidatorSet copy = set.copy();
    boolean rotationOnly =
        last != null
            && height == lastHeight + 1
            && last.copyIncrement(1).toProto().equals(copy.toProto());
    if (!rotationOnly || height % CHECKPOINT_EVERY == 0) {
      checkpoints.put(height, copy);
    }
    last = copy;
    lastHeight = height;
  }

  /** The set that signs {@code height}, or null when unknown. */
  public synchronized List<Validator> at(long height) {
    ValidatorSet s = setAt(height);
    return s == null ? null : s.toProto();
  }

  /** The set that signs {@code height} with its proposer, or null when unknown. */
  synchronized ValidatorSet setAt(long height) {
    if (height > lastHeight) {
      return null;
    }
    Map.Entry<Long, ValidatorSet> e = checkpoints.floorEntry(height);
    if (e == null) {
      return null;
    }
    ValidatorSet s = e.getValue().copy();
    for (long h = e.getKey(); h < height; h++) {
      s.increment(1);
    }
    return s;
  }
}
