package io.peerz.consensus;

import io.peerz.consensus.proto.BlockRequest;
import io.peerz.consensus.proto.DecidedBlock;
import io.peerz.consensus.proto.NoBlock;
import io.peerz.consensus.proto.ReactorMessage;
import io.peerz.p2p.P2pChannels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Block sync (CometBFT's blocksync/reactor.go): a peer below this node's height gets the decided
 * block of the height it works on; peers above are asked for the next blocks, a window at a time
 * spread over them, and what arrives goes to the driver in height order. Peers' heights come from
 * their round states. Loop thread only, except {@link #catchingUp()}.
 */
public final class BlockSyncReactor implements ConsensusDriver.CatchUp, Reactor {

  /** Heights requested ahead of the current one. */
  static final int SYNC_WINDOW = 16;

  private static final long REQUEST_RETRY_NANOS = 2_000_000_000L;

  // A decided block is MBs under load, and a peer busy executing a block announces late that it
  // has one: re-sending sooner than this fills its queue with copies of the same MBs.
  private static final long CATCH_UP_RESEND_NANOS = 2_000_000_000L;

  /** A peer's height as its round state said, and the block we last pushed to it. */
  private static final class PeerHeight {
    long height;
    long sentHeight = -1;
    long sentAtNanos;
  }

  private final DecidedBlocks blocks;
  private final PeerTransport transport;
  private final EventLoop loop;
  private final Map<String, PeerHeight> peers = new HashMap<>();
  private final TreeMap<Long, DecidedBlock> fetched = new TreeMap<>();
  private final TreeMap<Long, Long> requested = new TreeMap<>();
  private ConsensusDriver driver;
  private volatile boolean catchingUp;

  /** Serves {@code blocks} and fetches into the driver given to {@link #attach}. */
  public BlockSyncReactor(DecidedBlocks blocks, PeerTransport transport, EventLoop loop) {
    this.blocks = blocks;
    this.transport = transport;
    this.loop = loop;
  }

  /** The driver fetched blocks go to. */
  public void attach(ConsensusDriver driver) {
    this.driver = driver;
  }

  @Override
  public Set<ReactorMessage.MsgCase> cases() {
    return Set.of(
        ReactorMessage.MsgCase.BLOCK_REQUEST,
        ReactorMessage.MsgCase.BLOCK_RESPONSE,
        ReactorMessage.MsgCase.NO_BLOCK);
  }

  @Override
  public void peerDisconnected(String peer) {
    peers.remove(peer);
  }

  @Override
  public void receive(String peer, ReactorMessage m) {
    if (!driver.started()) {
      return;
    }
    switch (m.getMsgCase()) {
      case BLOCK_REQUEST -> serve(peer, m.getBlockRequest().getHeight(), true);
      case BLOCK_RESPONSE -> fetched(m.getBlockResponse());
      case NO_BLOCK -> {
        if (requested.remove(m.getNoBlock().getHeight()) == null) {
          transport.unsolicited(
              peer, "no_block for height " + m.getNoBlock().getHeight() + " not requested");
        }
      }
      default -> {}
    }
  }

  /** A peer's round state said it works on {@code height}. */
  void status(String peer, long height) {
    PeerHeight p = peers.computeIfAbsent(peer, x -> new PeerHeight());
    p.height = height;
    if (height < driver.height()) {
      push(peer, p);
    } else if (height > driver.height()) {
      request();
    }
    updateCatchingUp();
  }

  /** The gossip timer: peers behind get their block again, peers ahead are asked again. */
  void tick() {
    long h = driver.height();
    for (Map.Entry<String, PeerHeight> e : peers.entrySet()) {
      PeerHeight p = e.getValue();
      if (p.height > 0 && p.height < h) {
        push(e.getKey(), p);
      }
    }
    request();
    updateCatchingUp();
  }

  /** A peer below us gets the decided block and commit of the height it works on. */
  private void push(String peer, PeerHeight p) {
    long now = loop.nanoTime();
    if (p.sentHeight == p.height && now - p.sentAtNanos < CATCH_UP_RESEND_NANOS) {
      return;
    }
    if (serve(peer, p.height, false)) {
      p.sentHeight = p.height;
      p.sentAtNanos = now;
    }
  }

  private boolean serve(String peer, long height, boolean answerMissing) {
    Optional<DecidedBlock> d = blocks.decided(height);
    if (d.isPresent()) {
      transport.send(
          peer,
          P2pChannels.BLOCK_SYNC,
          ReactorMessage.newBuilder().setBlockResponse(d.get()).build());
      return true;
    }
    if (answerMissing) {
      transport.send(
          peer,
          P2pChannels.BLOCK_SYNC,
          ReactorMessage.newBuilder().setNoBlock(NoBlock.newBuilder().setHeight(height)).build());
    }
    return false;
  }

  /** Asks peers that are ahead for the next blocks, a window at a time, spread over them. */
  private void request() {
    long h = driver.height();
    requested.headMap(h).clear();
    fetched.headMap(h).clear();
    long now = loop.nanoTime();
    List<Map.Entry<String, PeerHeight>> ahead = new ArrayList<>();
    for (Map.Entry<String, PeerHeight> e : peers.entrySet()) {
      if (e.getValue().height > h) {
        ahead.add(e);
      }
    }
    ahead.sort(Map.Entry.comparingByKey());
    if (ahead.isEmpty()) {
      return;
    }
    for (long x = h; x < h + SYNC_WINDOW; x++) {
      Long at = requested.get(x);
      if (fetched.containsKey(x) || (at != null && now - at < REQUEST_RETRY_NANOS)) {
        continue;
      }
      String target = null;
      for (int i = 0; i < ahead.size(); i++) {
        Map.Entry<String, PeerHeight> e = ahead.get((int) ((x + i) % ahead.size()));
        if (e.getValue().height > x) {
          target = e.getKey();
          break;
        }
      }
      if (target == null) {
        break;
      }
      requested.put(x, now);
      transport.send(
          target,
          P2pChannels.BLOCK_SYNC,
          ReactorMessage.newBuilder()
              .setBlockRequest(BlockRequest.newBuilder().setHeight(x))
              .build());
    }
  }

  private void fetched(DecidedBlock d) {
    long h = d.getBlock().getHeader().getHeight();
    requested.remove(h);
    if (h < driver.height() || h >= driver.height() + SYNC_WINDOW) {
      return;
    }
    fetched.putIfAbsent(h, d);
    driver.pump();
    request();
    updateCatchingUp();
  }

  @Override
  public DecidedBlock take(long height) {
    fetched.headMap(height).clear();
    return fetched.remove(height);
  }

  private void updateCatchingUp() {
    long best = 0;
    for (PeerHeight p : peers.values()) {
      best = Math.max(best, p.height);
    }
    // One height behind is the normal lag of a round; two or more means fetching blocks.
    catchingUp = best > driver.height() + 1;
  }

  /** Whether peers report heights this node is still fetching blocks for. Any thread. */
  public boolean catchingUp() {
    return catchingUp;
  }
}
