package io.peerz.consensus;

import io.peerz.consensus.proto.StateSyncAnchor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code data/statesync.pb}: the verified light blocks of the lowest height consensus resumes from
 * when the blocks below it are not stored, written by a state-sync restore and moved up by block
 * pruning ({@link BlockPruner}); the {@link Handshake} rebuilds the chain state from it.
 */
public final class AnchorFile {
  private final Path file;

  /** The anchor of the node whose data directory is {@code dataDir}. */
  public AnchorFile(Path dataDir) {
    this.file = dataDir.resolve("statesync.pb");
  }

  /** Whether an anchor was written: the node has state even with no block stored. */
  boolean exists() {
    return Files.exists(file);
  }

  /** The anchor, or null for a node that keeps its blocks from genesis. */
  StateSyncAnchor read() {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return StateSyncAnchor.parseFrom(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Replaces the anchor, synced, all at once (a crash leaves the old one or the new one). */
  void write(StateSyncAnchor anchor) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      try (java.nio.channels.FileChannel ch =
          java.nio.channels.FileChannel.open(
              tmp,
              java.nio.file.StandardOpenOption.CREATE,
              java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
              java.nio.file.StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(anchor.toByteArray()));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
