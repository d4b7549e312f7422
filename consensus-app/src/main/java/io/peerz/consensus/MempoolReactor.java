package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.consensus.proto.ReactorMessage;
import io.peerz.consensus.proto.Txs;
import io.peerz.ledger.TxSignatures;
import io.peerz.ledger.proto.TxResult;
import io.peerz.p2p.P2pChannels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tx gossip (CometBFT's mempool/reactor.go): txs from peers are checked off the consensus thread,
 * in batches, and added to the mempool in arrival order; accepted txs, from peers or from this
 * node's RPC, go on to the peers that do not have them yet, in batched messages. Has two threads of
 * its own: the intake and the gossip timer.
 */
public final class MempoolReactor implements AutoCloseable {

  // A mempool's worth: a tx dropped here leaves a gap in its account's nonces, and this node then
  // refuses the account's later txs (nonce ahead) until a block from another mempool fills it.
  static final int PEER_TX_QUEUE = Mempool.MAX_TXS;
  static final int TX_GOSSIP_BATCH = 512;
  static final int TX_GOSSIP_BYTES = 512 << 10;
  static final Duration TX_GOSSIP_INTERVAL = Duration.ofMillis(20);
  static final int PEER_TX_BATCH = 2048;

  private static final Logger log = LoggerFactory.getLogger(MempoolReactor.class);

  /** A tx to gossip, and the peer it came from (null: from this node's RPC). */
  private record GossipTx(byte[] tx, String from) {}

  private final Mempool mempool;
  private final PeerTransport transport;
  private final TxSignatures signatures;
  private final AtomicBoolean intakeFull = new AtomicBoolean();
  private final LinkedBlockingQueue<GossipTx> peerTxQueue =
      new LinkedBlockingQueue<>(PEER_TX_QUEUE);
  private final AtomicBoolean intakeScheduled = new AtomicBoolean();
  private final List<GossipTx> gossipBuffer = new ArrayList<>();
  // Each peer's own peers, as its round state last said: whom not to relay its txs to.
  private final Map<String, Set<String>> peersOfPeers = new ConcurrentHashMap<>();
  private final AtomicLong txsFromPeers = new AtomicLong();
  private long gossipBytes;
  private volatile boolean gossiping;
  private volatile boolean closing;
  private final ScheduledExecutorService txGossip =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "mempool-gossip");
            t.setDaemon(true);
            return t;
          });
  private final ExecutorService intake =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "mempool-intake");
            t.setDaemon(true);
            return t;
          });

  /**
   * Gossips {@code mempool}'s txs over {@code transport}, verifying peers' into {@code signatures}.
   */
  public MempoolReactor(Mempool mempool, PeerTransport transport, TxSignatures signatures) {
    this.mempool = mempool;
    this.transport = transport;
    this.signatures = signatures;
  }

  /** Starts flushing the gossip buffer every {@link #TX_GOSSIP_INTERVAL} (p2p is up). */
  public void start() {
    gossiping = true;
    txGossip.scheduleWithFixedDelay(
        () -> {
          try {
            flushTxGossip();
          } catch (RuntimeException e) {
            log.warn("tx gossip failed error={}", e.toString());
          }
        },
        TX_GOSSIP_INTERVAL.toMillis(),
        TX_GOSSIP_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** CheckTx and, when accepted, add to the mempool and gossip: broadcast_tx from RPC. */
  public TxResult broadcastTx(byte[] tx) {
    TxResult r = mempool.add(tx);
    if (r.getCode() == 0) {
      gossipTx(tx, null);
    }
    return r;
  }

  /** {@code peer}'s own peers, from its round state. */
  public void peersOf(String peer, Set<String> itsPeers) {
    peersOfPeers.put(peer, itsPeers);
  }

  /** A peer left: forget its peer list. Any thread. */
  public void peerDisconnected(String peer) {
    peersOfPeers.remove(peer);
  }

  /**
   * Txs from a peer, on the p2p thread: queued in arrival order (bounded; gossip is lossy and
   * blocks carry what a mempool missed), verified in batches on all cores, then added to the
   * mempool in order, so one account's consecutive nonces still enter in sequence.
   */
  public void receive(String peer, Txs txs) {
    int dropped = 0;
    for (ByteString tx : txs.getTxsList()) {
      txsFromPeers.incrementAndGet();
      if (!peerTxQueue.offer(new GossipTx(tx.toByteArray(), peer))) {
        dropped++;
      }
    }
    if (dropped > 0 && intakeFull.compareAndSet(false, true)) {
      // One line each time the queue fills up, not one per message.
      log.warn(
          "peer txs dropped peer={} count={} reason=intake_full capacity={}",
          peer,
          dropped,
          PEER_TX_QUEUE);
    }
    if (intakeScheduled.compareAndSet(false, true)) {
      try {
        intake.execute(this::drainPeerTxs);
      } catch (RejectedExecutionException e) {
        // closing
      }
    }
  }

  private void drainPeerTxs() {
    intakeScheduled.set(false); // set before draining: txs arriving from now on schedule a run
    List<GossipTx> batch = new ArrayList<>();
    peerTxQueue.drainTo(batch, PEER_TX_BATCH);
    if (peerTxQueue.isEmpty()) {
      intakeFull.set(false);
    }
    while (!batch.isEmpty() && !closing) {
      signatures.preverifyAll(batch.stream().map(GossipTx::tx).toList());
      for (GossipTx g : batch) {
        if (closing) {
          return;
        }
        if (mempool.add(g.tx()).getCode() == 0) {
          gossipTx(g.tx(), g.from());
        }
      }
      batch.clear();
      peerTxQueue.drainTo(batch, PEER_TX_BATCH);
    }
  }

  /**
   * Accepted txs go to peers in batches (one Txs message per flush, every {@link
   * #TX_GOSSIP_INTERVAL} or at {@link #TX_GOSSIP_BATCH} txs): a message per tx costs each hop a
   * frame, an AEAD seal and a queue slot, which under load fills the peers' queues.
   */
  private void gossipTx(byte[] tx, String from) {
    if (!gossiping) {
      return; // no p2p: no peers to tell
    }
    boolean full;
    synchronized (gossipBuffer) {
      gossipBuffer.add(new GossipTx(tx, from));
      gossipBytes += tx.length;
      full = gossipBuffer.size() >= TX_GOSSIP_BATCH || gossipBytes >= TX_GOSSIP_BYTES;
    }
    if (full) {
      flushTxGossip();
    }
  }

  private void flushTxGossip() {
    List<GossipTx> batch;
    synchronized (gossipBuffer) {
      if (gossipBuffer.isEmpty()) {
        return;
      }
      batch = new ArrayList<>(gossipBuffer);
      gossipBuffer.clear();
      gossipBytes = 0;
    }
    if (batch.stream().allMatch(g -> g.from() == null)) {
      // This node's own: every peer gets them.
      transport.broadcast(P2pChannels.MEMPOOL, txsMessage(batch));
      return;
    }
    for (String peer : transport.peers()) {
      List<GossipTx> relay = new ArrayList<>();
      for (GossipTx g : batch) {
        if (relays(g.from(), peer, peersOfPeers)) {
          relay.add(g);
        }
      }
      if (!relay.isEmpty()) {
        transport.send(peer, P2pChannels.MEMPOOL, txsMessage(relay));
      }
    }
  }

  /**
   * Whether a tx that came from {@code from} (null: from this node) goes on to {@code to}: not back
   * to its sender, and not to a peer connected to the sender, as either of them last said, since
   * the sender gave it to its peers itself. In a full mesh each tx crosses each link once; in any
   * other topology it still reaches every node. Stale peer lists may miss a relay, which gossip
   * tolerates: the txs still reach blocks from the mempools that have them. A peer that lies about
   * its peers only keeps relays from itself (its own txs) or to itself.
   */
  public static boolean relays(String from, String to, Map<String, Set<String>> peersOfPeers) {
    if (from == null) {
      return true;
    }
    return !from.equals(to)
        && !peersOfPeers.getOrDefault(from, Set.of()).contains(to)
        && !peersOfPeers.getOrDefault(to, Set.of()).contains(from);
  }

  private static ReactorMessage txsMessage(List<GossipTx> txs) {
    Txs.Builder b = Txs.newBuilder();
    for (GossipTx g : txs) {
      b.addTxs(ByteString.copyFrom(g.tx()));
    }
    return ReactorMessage.newBuilder().setTxs(b).build();
  }

  /** Each peer's peers as this node last heard them. */
  public Map<String, Set<String>> peersOfPeers() {
    return Map.copyOf(peersOfPeers);
  }

  /** Txs received from peers so far, copies included (each link's share of tx gossip). */
  public long txsFromPeers() {
    return txsFromPeers.get();
  }

  /** Stops the intake and the gossip timer, waiting for the intake to finish its tx. */
  @Override
  public void close() {
    closing = true;
    intake.shutdownNow();
    txGossip.shutdownNow();
    try {
      if (!intake.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("mempool intake thread did not stop within 30s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
