package io.peerz.ledger;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.ledger.proto.SnapshotChunk;
import io.peerz.ledger.proto.SnapshotEntry;
import io.peerz.ledger.proto.SnapshotMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A state-sync snapshot as ABCI describes one: height, format, chunk count, hash and metadata.
 * Format {@value #FORMAT} holds the state store's pairs in key order, in chunks of at most {@code
 * chunkBytes} (a single larger pair gets a chunk of its own); {@code metadata} is a {@link
 * SnapshotMetadata} and {@code hash} is SHA-256 of it. Equal states at equal heights give
 * byte-identical snapshots.
 */
public record StateSnapshot(long height, int format, int chunks, byte[] hash, byte[] metadata) {

  /** The only format peerz writes and restores. */
  public static final int FORMAT = 1;

  /** The chunk size bound nodes use (CometBFT's own snapshots use chunks of this order). */
  public static final int DEFAULT_CHUNK_BYTES = 1 << 20;

  /** The metadata, decoded; throws IllegalArgumentException when it is not a valid one. */
  public SnapshotMetadata decodeMetadata() {
    SnapshotMetadata m;
    try {
      m = SnapshotMetadata.parseFrom(metadata);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("snapshot metadata is undecodable: " + e.getMessage());
    }
    if (!Arrays.equals(Sha256.hash(metadata), hash)) {
      throw new IllegalArgumentException("snapshot hash is not SHA-256 of its metadata");
    }
    if (m.getHeight() != height || m.getChunkHashesCount() != chunks) {
      throw new IllegalArgumentException(
          "snapshot metadata says height "
              + m.getHeight()
              + " and "
              + m.getChunkHashesCount()
              + " chunks, the snapshot says height "
              + height
              + " and "
              + chunks);
    }
    if (m.getAppHash().size() != Sha256.LENGTH) {
      throw new IllegalArgumentException("snapshot app hash is not " + Sha256.LENGTH + " bytes");
    }
    return m;
  }

  /** Receives each chunk as it is cut, in order. */
  @FunctionalInterface
  public interface ChunkSink {
    void accept(int index, byte[] chunk);
  }

  /**
   * Cuts the snapshot of {@code state} into chunks handed to {@code sink} (so no more than one
   * chunk is in memory) and returns its description.
   */
  public static StateSnapshot write(
      StateStore.CommittedState state, int chunkBytes, ChunkSink sink) {
    if (chunkBytes < 64) {
      throw new IllegalArgumentException("chunk size must be at least 64 bytes, got " + chunkBytes);
    }
    SnapshotMetadata.Builder meta =
        SnapshotMetadata.newBuilder()
            .setHeight(state.height())
            .setAppHash(ByteString.copyFrom(state.appHash()));
    Cutter cutter = new Cutter(chunkBytes, meta, sink);
    state.scan(null, null, cutter);
    cutter.flush(true);
    SnapshotMetadata m = meta.build();
    byte[] metadata = DeterministicProto.encode(m);
    return new StateSnapshot(
        m.getHeight(), FORMAT, m.getChunkHashesCount(), Sha256.hash(metadata), metadata);
  }

  /** Decodes a chunk's pairs; throws IllegalArgumentException on bytes that are not a chunk. */
  public static List<StateStore.Entry> entries(byte[] chunk) {
    SnapshotChunk c;
    try {
      c = SnapshotChunk.parseFrom(chunk);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("snapshot chunk is undecodable: " + e.getMessage());
    }
    List<StateStore.Entry> out = new ArrayList<>(c.getEntriesCount());
    for (SnapshotEntry e : c.getEntriesList()) {
      out.add(new StateStore.Entry(e.getKey().toByteArray(), e.getValue().toByteArray()));
    }
    return out;
  }

  private static final class Cutter implements StateReader.EntryVisitor {
    private final int chunkBytes;
    private final SnapshotMetadata.Builder meta;
    private final ChunkSink sink;
    private SnapshotChunk.Builder chunk = SnapshotChunk.newBuilder();
    private long size;
    private long entries;

    Cutter(int chunkBytes, SnapshotMetadata.Builder meta, ChunkSink sink) {
      this.chunkBytes = chunkBytes;
      this.meta = meta;
      this.sink = sink;
    }

    @Override
    public boolean visit(byte[] key, byte[] value) {
      SnapshotEntry e =
          SnapshotEntry.newBuilder()
              .setKey(ByteString.copyFrom(key))
              .setValue(ByteString.copyFrom(value))
              .build();
      int entrySize = e.getSerializedSize();
      long encoded = 1L + CodedOutputStream.computeUInt32SizeNoTag(entrySize) + entrySize;
      if (chunk.getEntriesCount() > 0 && size + encoded > chunkBytes) {
        flush(false);
      }
      chunk.addEntries(e);
      size += encoded;
      entries++;
      return true;
    }

    /** Emits the chunk being cut; at the end also an empty one when the state is empty. */
    void flush(boolean last) {
      if (chunk.getEntriesCount() == 0 && !(last && meta.getChunkHashesCount() == 0)) {
        return;
      }
      byte[] bytes = DeterministicProto.encode(chunk.build());
      sink.accept(meta.getChunkHashesCount(), bytes);
      meta.addChunkHashes(ByteString.copyFrom(Sha256.hash(bytes)));
      meta.setEntries(entries);
      chunk = SnapshotChunk.newBuilder();
      size = 0;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StateSnapshot s
        && height == s.height
        && format == s.format
        && chunks == s.chunks
        && Arrays.equals(hash, s.hash)
        && Arrays.equals(metadata, s.metadata);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(height) * 31 + Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return "StateSnapshot[height="
        + height
        + ", format="
        + format
        + ", chunks="
        + chunks
        + ", hash="
        + Hex.encodeUpper(hash)
        + "]";
  }
}
