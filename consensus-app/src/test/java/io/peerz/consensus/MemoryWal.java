package io.peerz.consensus;

import io.peerz.consensus.proto.WalRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulation's WAL: a list on the node's "disk" that outlives its driver. Records appended
 * since the last sync are lost at a simulated crash, like the unflushed tail of {@link
 * ConsensusWal}'s file; a rotation is synced, as the file's is.
 */
final class MemoryWal implements Wal {
  private final List<WalRecord> records = new ArrayList<>();
  private int synced;

  /** A driver starting over this log reads what survived. */
  @Override
  public List<WalRecord> recovered() {
    return List.copyOf(records);
  }

  @Override
  public void height(long h) {
    // rotate keeps every record of the next height and above, whatever the current one.
  }

  @Override
  public void append(WalRecord record) {
    records.add(record);
  }

  @Override
  public void sync() {
    synced = records.size();
  }

  @Override
  public void rotate(long nextHeight) {
    records.removeIf(r -> WalReplay.height(r) < nextHeight);
    synced = records.size();
  }

  /** Loses what was not synced. */
  void crash() {
    records.subList(synced, records.size()).clear();
  }

  /** Records that survive a crash now. */
  int synced() {
    return synced;
  }

  @Override
  public void close() {}
}
