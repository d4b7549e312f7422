package io.peerz.consensus;

import io.peerz.consensus.proto.WalRecord;
import java.util.List;

/**
 * The consensus write-ahead log as the driver uses it: {@link ConsensusWal} on disk in the node, a
 * list that loses what was not synced at a simulated crash in the simulation.
 */
public interface Wal extends AutoCloseable {

  /** The records found when the log was opened, oldest first. */
  List<WalRecord> recovered();

  /** The height the core works on: records above it outlive {@link #rotate}. */
  void height(long height);

  /** Appends a record (written, not yet durable: see {@link #sync}). */
  void append(WalRecord record);

  /** Makes the appended records durable; done before a signed message leaves the process. */
  void sync();

  /** Empties the log after a commit, keeping the records of {@code nextHeight} and above. */
  void rotate(long nextHeight);

  @Override
  void close();
}
