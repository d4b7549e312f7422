package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.consensus.proto.ChunkRequest;
import io.peerz.consensus.proto.ChunkResponse;
import io.peerz.consensus.proto.LightBlockRequest;
import io.peerz.consensus.proto.LightBlockResponse;
import io.peerz.consensus.proto.ReactorMessage;
import io.peerz.consensus.proto.SnapshotInfo;
import io.peerz.consensus.proto.SnapshotsRequest;
import io.peerz.consensus.proto.StateSyncAnchor;
import io.peerz.consensus.proto.ValidatorSetState;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.Hex;
import io.peerz.ledger.StateSnapshot;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.Header;
import io.peerz.p2p.P2pChannels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * State sync for an embedded node (CometBFT's statesync reactor, syncer side): asks peers for
 * snapshots, picks the highest, verifies its app hash against the header of the next height (whose
 * commit must be signed by the block's own validators and by more than two thirds of the genesis
 * validators' power), has the application restore it chunk by chunk, and returns the verified light
 * blocks from which consensus resumes. Runs on the thread that starts the node; peers' answers
 * arrive through {@link #deliver}.
 */
final class StateSyncer {
  private static final Logger log = LoggerFactory.getLogger(StateSyncer.class);

  /** How long snapshot offers are collected after asking. */
  static final Duration DISCOVERY = Duration.ofSeconds(1);

  /** How long one request waits for its answer before asking again (another peer if any). */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

  /** How long the next height's header may take to appear on a peer (it follows the snapshot). */
  static final Duration LIGHT_BLOCK_WAIT = Duration.ofSeconds(30);

  private record Incoming(String peer, ReactorMessage message) {}

  /** A snapshot offered by one or more peers. */
  private record Candidate(StateSnapshot snapshot, List<String> peers) {}

  /** Why a snapshot cannot be used; the syncer moves on to another. */
  static final class Unusable extends Exception {
    Unusable(String reason) {
      super(reason);
    }
  }

  private final String chainId;
  private final ValidatorSet trusted;
  private final Application app;
  private final PeerTransport transport;
  private final BooleanSupplier closing;
  private final BlockingQueue<Incoming> inbox = new LinkedBlockingQueue<>();

  StateSyncer(
      String chainId,
      ValidatorSet trusted,
      Application app,
      PeerTransport transport,
      BooleanSupplier closing) {
    this.chainId = chainId;
    this.trusted = trusted;
    this.app = app;
    this.transport = transport;
    this.closing = closing;
  }

  /** A peer's answer (snapshots, light block or chunk); any thread. */
  void deliver(String peer, ReactorMessage m) {
    inbox.add(new Incoming(peer, m));
  }

  /**
   * Restores the application from the best snapshot peers offer; returns the verified light blocks
   * of the snapshot height and the next. Throws IllegalStateException when no snapshot could be
   * restored within {@code timeout}.
   */
  StateSyncAnchor run(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> unusable = new HashSet<>();
    String lastReason = "no peer offered a snapshot";
    while (System.nanoTime() < deadline && !closing.getAsBoolean()) {
      Candidate best = discover(unusable);
      if (best == null) {
        continue;
      }
      String key = Hex.encode(best.snapshot().hash());
      try {
        return restore(best, deadline);
      } catch (Unusable e) {
        unusable.add(key);
        lastReason = e.getMessage();
        log.warn(
            "state sync snapshot unusable height={} hash={} reason={}",
            best.snapshot().height(),
            key,
            e.getMessage());
      }
    }
    throw new IllegalStateException(
        "state sync restored no snapshot within " + timeout + ": " + lastReason);
  }

  /** Asks every peer for its snapshots and returns the highest usable one offered, or null. */
  private Candidate discover(Set<String> unusable) throws InterruptedException {
    inbox.clear();
    transport.broadcast(
        P2pChannels.STATE_SYNC_SNAPSHOT,
        ReactorMessage.newBuilder()
            .setSnapshotsRequest(SnapshotsRequest.getDefaultInstance())
            .build());
    Map<String, Candidate> offers = new LinkedHashMap<>();
    long until = System.nanoTime() + DISCOVERY.toNanos();
    for (long left; (left = until - System.nanoTime()) > 0; ) {
      Incoming in = inbox.poll(left, TimeUnit.NANOSECONDS);
      if (in == null || !in.message().hasSnapshotsResponse()) {
        continue;
      }
      for (SnapshotInfo s : in.message().getSnapshotsResponse().getSnapshotsList()) {
        String key = Hex.encode(s.getHash().toByteArray());
        if (s.getFormat() != StateSnapshot.FORMAT || s.getHeight() <= 0 || unusable.contains(key)) {
          continue;
        }
        Candidate c =
            offers.computeIfAbsent(
                key,
                k ->
                    new Candidate(
                        new StateSnapshot(
                            s.getHeight(),
                            s.getFormat(),
                            s.getChunks(),
                            s.getHash().toByteArray(),
                            s.getMetadata().toByteArray()),
                        new ArrayList<>()));
        if (!c.peers().contains(in.peer())) {
          c.peers().add(in.peer());
        }
      }
    }
    Candidate best = null;
    for (Candidate c : offers.values()) {
      if (best == null
          || c.snapshot().height() > best.snapshot().height()
          || (c.snapshot().height() == best.snapshot().height()
              && c.peers().size() > best.peers().size())) {
        best = c;
      }
    }
    return best;
  }

  private StateSyncAnchor restore(Candidate c, long deadline)
      throws Unusable, InterruptedException {
    StateSnapshot s = c.snapshot();
    long h = s.height();
    log.info(
        "state sync snapshot chosen height={} chunks={} hash={} peers={}",
        h,
        s.chunks(),
        Hex.encodeUpper(s.hash()),
        c.peers().size());
    LightBlockResponse atHeight = lightBlock(c.peers(), h, deadline);
    LightBlockResponse next = lightBlock(c.peers(), h + 1, deadline);
    byte[] appHash = verify(chainId, trusted, h, atHeight, next);
    Application.OfferResult offer = app.offerSnapshot(s, appHash);
    if (offer != Application.OfferResult.ACCEPT) {
      throw new Unusable("the application answered " + offer + " to the offer");
    }
    List<String> senders = new ArrayList<>(c.peers());
    int turn = 0;
    for (int index = 0; index < s.chunks(); ) {
      if (senders.isEmpty()) {
        throw new Unusable("no peer left to fetch chunk " + index + " from");
      }
      if (System.nanoTime() > deadline || closing.getAsBoolean()) {
        throw new Unusable("ran out of time at chunk " + index);
      }
      String peer = senders.get(turn++ % senders.size());
      ChunkResponse chunk = chunk(peer, h, index);
      if (chunk == null) {
        continue; // timed out: another peer next turn
      }
      if (chunk.getMissing()) {
        senders.remove(peer); // pruned there since it was listed
        continue;
      }
      Application.ApplyChunkResponse r =
          app.applySnapshotChunk(index, chunk.getChunk().toByteArray(), peer);
      senders.removeAll(r.rejectSenders());
      switch (r.result()) {
        case ACCEPT -> index++;
        case RETRY -> {
          if (!r.refetchChunks().isEmpty()) {
            index = r.refetchChunks().stream().min(Integer::compare).orElse(index);
          }
        }
        case RETRY_SNAPSHOT, REJECT_SNAPSHOT, ABORT ->
            throw new Unusable("the application answered " + r.result() + " to chunk " + index);
      }
    }
    long restored = app.info().lastBlockHeight();
    if (restored != h || !Arrays.equals(app.info().lastBlockAppHash(), appHash)) {
      throw new IllegalStateException(
          "after the last chunk the application reports height "
              + restored
              + ", not the snapshot's "
              + h);
    }
    log.info("state sync restored height={} app_hash={}", h, Hex.encodeUpper(appHash));
    return StateSyncAnchor.newBuilder().setHeight(h).setAtHeight(atHeight).setNext(next).build();
  }

  private LightBlockResponse lightBlock(List<String> peers, long height, long deadline)
      throws Unusable, InterruptedException {
    long until = Math.min(deadline, System.nanoTime() + LIGHT_BLOCK_WAIT.toNanos());
    int turn = 0;
    while (System.nanoTime() < until && !closing.getAsBoolean()) {
      String peer = peers.get(turn++ % peers.size());
      ReactorMessage asked =
          ReactorMessage.newBuilder()
              .setLightBlockRequest(LightBlockRequest.newBuilder().setHeight(height))
              .build();
      transport.send(peer, P2pChannels.STATE_SYNC_SNAPSHOT, asked);
      Incoming in =
          await(
              m -> m.hasLightBlockResponse() && m.getLightBlockResponse().getHeight() == height,
              peer);
      if (in != null && !in.message().getLightBlockResponse().getMissing()) {
        return in.message().getLightBlockResponse();
      }
      if (in != null) {
        // The peer has not decided that height yet (it follows the snapshot by one block): back
        // off before asking again.
        Thread.sleep(200);
      }
    }
    throw new Unusable("no peer served the light block of height " + height);
  }

  private ChunkResponse chunk(String peer, long height, int index) throws InterruptedException {
    transport.send(
        peer,
        P2pChannels.STATE_SYNC_CHUNK,
        ReactorMessage.newBuilder()
            .setChunkRequest(
                ChunkRequest.newBuilder()
                    .setHeight(height)
                    .setFormat(StateSnapshot.FORMAT)
                    .setIndex(index))
            .build());
    Incoming in =
        await(
            m ->
                m.hasChunkResponse()
                    && m.getChunkResponse().getHeight() == height
                    && m.getChunkResponse().getIndex() == index,
            peer);
    return in == null ? null : in.message().getChunkResponse();
  }

  /** The next message from {@code peer} matching {@code want}, or null after the timeout. */
  private Incoming await(Predicate<ReactorMessage> want, String peer) throws InterruptedException {
    long until = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
    for (long left; (left = until - System.nanoTime()) > 0; ) {
      Incoming in = inbox.poll(left, TimeUnit.NANOSECONDS);
      if (in != null && in.peer().equals(peer) && want.test(in.message())) {
        return in;
      }
    }
    return null;
  }

  /**
   * The app hash the snapshot of {@code height} must restore, from the verified header of {@code
   * height + 1}; throws Unusable saying which check failed.
   */
  static byte[] verify(
      String chainId,
      ValidatorSet trusted,
      long height,
      LightBlockResponse atHeight,
      LightBlockResponse next)
      throws Unusable {
    Header hh = atHeight.getBlock().getHeader();
    Header hn = next.getBlock().getHeader();
    if (hh.getHeight() != height
        || hn.getHeight() != height + 1
        || atHeight.getCommit().getHeight() != height
        || next.getCommit().getHeight() != height + 1) {
      throw new Unusable("light blocks are not of heights " + height + " and " + (height + 1));
    }
    if (!hh.getChainId().equals(chainId) || !hn.getChainId().equals(chainId)) {
      throw new Unusable("light blocks are of another chain");
    }
    ValidatorSet valsH;
    ValidatorSet valsH1;
    ValidatorSet valsH2;
    try {
      valsH = set(atHeight.getValidators());
      valsH1 = set(next.getValidators());
      valsH2 = set(next.getNextValidators());
    } catch (IllegalArgumentException e) {
      throw new Unusable("bad validator set: " + e.getMessage());
    }
    if (!Arrays.equals(hn.getValidatorsHash().toByteArray(), valsH1.hash())
        || !Arrays.equals(hn.getNextValidatorsHash().toByteArray(), valsH2.hash())
        || !Arrays.equals(hh.getValidatorsHash().toByteArray(), valsH.hash())
        || !Arrays.equals(hh.getNextValidatorsHash().toByteArray(), valsH1.hash())) {
      throw new Unusable("validator sets do not match the headers' validators hashes");
    }
    // Verified once per candidate snapshot: a memory of its own, dropped with it.
    SignatureCache signatures = new SignatureCache();
    String why =
        Commits.invalid(
            chainId,
            next.getCommit(),
            height + 1,
            ChainState.blockId(next.getBlock()),
            valsH1,
            signatures);
    if (why != null) {
      throw new Unusable("commit of height " + (height + 1) + " is invalid: " + why);
    }
    if (!Commits.signedByTrusted(chainId, next.getCommit(), trusted, signatures)) {
      throw new Unusable(
          "commit of height "
              + (height + 1)
              + " is not signed by more than two thirds of the genesis validators' power");
    }
    if (!hn.getLastBlockId().equals(ChainState.blockId(atHeight.getBlock()))) {
      throw new Unusable("block of height " + height + " is not the one the next header names");
    }
    why =
        Commits.invalid(
            chainId,
            atHeight.getCommit(),
            height,
            ChainState.blockId(atHeight.getBlock()),
            valsH,
            signatures);
    if (why != null) {
      throw new Unusable("commit of height " + height + " is invalid: " + why);
    }
    return hn.getAppHash().toByteArray();
  }

  /** The consensus state after the snapshot height, as the anchor's light blocks give it. */
  static ChainState chainState(
      String chainId, long initialHeight, long appVersion, StateSyncAnchor anchor) {
    Block atHeight = anchor.getAtHeight().getBlock();
    Block next = anchor.getNext().getBlock();
    return new ChainState(
        chainId,
        initialHeight,
        anchor.getHeight(),
        next.getHeader().getLastBlockId(),
        Blocks.millis(atHeight.getHeader().getTime()),
        set(anchor.getAtHeight().getValidators()),
        set(anchor.getNext().getValidators()),
        set(anchor.getNext().getNextValidators()),
        next.getHeader().getAppHash().toByteArray(),
        next.getHeader().getLastResultsHash().toByteArray(),
        appVersion,
        anchor.getAtHeight().getCommit());
  }

  static ValidatorSet set(ValidatorSetState s) {
    if (s.getValidatorsCount() == 0) {
      throw new IllegalArgumentException("empty validator set");
    }
    return ValidatorSet.fromProto(s.getValidatorsList(), s.getProposerAddress().toByteArray());
  }

  static ValidatorSetState state(ValidatorSet s) {
    return ValidatorSetState.newBuilder()
        .addAllValidators(s.toProto())
        .setProposerAddress(ByteString.copyFrom(s.proposer().address))
        .build();
  }
}
