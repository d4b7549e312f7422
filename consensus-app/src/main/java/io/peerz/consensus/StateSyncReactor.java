package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.consensus.proto.ChunkRequest;
import io.peerz.consensus.proto.ChunkResponse;
import io.peerz.consensus.proto.LightBlockResponse;
import io.peerz.consensus.proto.ReactorMessage;
import io.peerz.consensus.proto.SnapshotInfo;
import io.peerz.consensus.proto.SnapshotsResponse;
import io.peerz.consensus.proto.StateSyncAnchor;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.StateSnapshot;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.p2p.P2pChannels;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * State sync over p2p (CometBFT's statesync/reactor.go): serves the application's snapshots, their
 * chunks and light blocks (a decided block with the validator sets of its height and the next) to
 * peers, and restores a fresh node from theirs ({@link StateSyncer}), keeping the verified light
 * blocks in the {@link AnchorFile} for consensus to resume from.
 */
public final class StateSyncReactor implements Reactor {

  private final String chainId;
  private final Application app;
  private final BlockStore blocks;
  private final ValidatorHistory history;
  private final PeerTransport transport;
  private final AnchorFile anchorFile;
  private volatile StateSyncer syncer;

  /** Serves {@code app}'s snapshots and {@code blocks}; a restore writes {@code anchorFile}. */
  public StateSyncReactor(
      String chainId,
      Application app,
      BlockStore blocks,
      ValidatorHistory history,
      PeerTransport transport,
      AnchorFile anchorFile) {
    this.chainId = chainId;
    this.app = app;
    this.blocks = blocks;
    this.history = history;
    this.transport = transport;
    this.anchorFile = anchorFile;
  }

  @Override
  public Set<ReactorMessage.MsgCase> cases() {
    return Set.of(
        ReactorMessage.MsgCase.SNAPSHOTS_REQUEST,
        ReactorMessage.MsgCase.CHUNK_REQUEST,
        ReactorMessage.MsgCase.LIGHT_BLOCK_REQUEST,
        ReactorMessage.MsgCase.SNAPSHOTS_RESPONSE,
        ReactorMessage.MsgCase.CHUNK_RESPONSE,
        ReactorMessage.MsgCase.LIGHT_BLOCK_RESPONSE);
  }

  @Override
  public void receive(String peer, ReactorMessage m) {
    switch (m.getMsgCase()) {
      case SNAPSHOTS_REQUEST -> serveSnapshots(peer);
      case CHUNK_REQUEST -> serveChunk(peer, m.getChunkRequest());
      case LIGHT_BLOCK_REQUEST -> serveLightBlock(peer, m.getLightBlockRequest().getHeight());
      default -> {
        StateSyncer s = syncer;
        if (s != null) {
          s.deliver(peer, m);
        } else {
          transport.unsolicited(peer, "state sync response while not state syncing");
        }
      }
    }
  }

  /**
   * Whether this node has nothing stored yet (no block, no genesis results, no anchor of an earlier
   * restore), so that state sync may restore it.
   */
  public boolean fresh(long initialHeight) {
    // A restore writes its anchor before any block arrives: with one, the node has state.
    return blocks.lastHeight() == 0
        && blocks.results(initialHeight - 1).isEmpty()
        && !anchorFile.exists();
  }

  /**
   * Restores the application from the best snapshot peers offer, trusting {@code genesisSet}, and
   * writes the anchor consensus resumes from. Throws IllegalStateException when no snapshot is
   * restored within {@code timeout}.
   */
  public void restore(List<ValidatorUpdate> genesisSet, Duration timeout, BooleanSupplier closing) {
    StateSyncer s = new StateSyncer(chainId, ValidatorSet.of(genesisSet), app, transport, closing);
    syncer = s;
    StateSyncAnchor anchor;
    try {
      anchor = s.run(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during state sync", e);
    } finally {
      syncer = null;
    }
    anchorFile.write(anchor);
  }

  /** The snapshots the application serves, newest first. */
  private void serveSnapshots(String peer) {
    SnapshotsResponse.Builder out = SnapshotsResponse.newBuilder();
    for (StateSnapshot s : app.listSnapshots()) {
      out.addSnapshots(
          SnapshotInfo.newBuilder()
              .setHeight(s.height())
              .setFormat(s.format())
              .setChunks(s.chunks())
              .setHash(ByteString.copyFrom(s.hash()))
              .setMetadata(ByteString.copyFrom(s.metadata())));
    }
    transport.send(
        peer,
        P2pChannels.STATE_SYNC_SNAPSHOT,
        ReactorMessage.newBuilder().setSnapshotsResponse(out).build());
  }

  private void serveChunk(String peer, ChunkRequest r) {
    byte[] chunk = app.loadSnapshotChunk(r.getHeight(), r.getFormat(), r.getIndex());
    transport.send(
        peer,
        P2pChannels.STATE_SYNC_CHUNK,
        ReactorMessage.newBuilder()
            .setChunkResponse(
                ChunkResponse.newBuilder()
                    .setHeight(r.getHeight())
                    .setFormat(r.getFormat())
                    .setIndex(r.getIndex())
                    .setChunk(ByteString.copyFrom(chunk))
                    .setMissing(chunk.length == 0))
            .build());
  }

  /** A decided block, its commit and the validator sets of its height and the next. */
  private void serveLightBlock(String peer, long height) {
    Optional<Block> block = blocks.block(height);
    Optional<Commit> commit = blocks.seenCommit(height);
    ValidatorSet vals = history.setAt(height);
    ValidatorSet next = history.setAt(height + 1);
    LightBlockResponse.Builder out = LightBlockResponse.newBuilder().setHeight(height);
    if (block.isPresent() && commit.isPresent() && vals != null && next != null) {
      out.setBlock(block.get())
          .setCommit(commit.get())
          .setValidators(StateSyncer.state(vals))
          .setNextValidators(StateSyncer.state(next));
    } else {
      out.setMissing(true);
    }
    transport.send(
        peer,
        P2pChannels.STATE_SYNC_SNAPSHOT,
        ReactorMessage.newBuilder().setLightBlockResponse(out).build());
  }
}
