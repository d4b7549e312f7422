package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.consensus.proto.DecidedBlock;
import io.peerz.consensus.proto.Proposal;
import io.peerz.consensus.proto.ProposalMessage;
import io.peerz.consensus.proto.ReactorMessage;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockId;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A deterministic network of nodes that run the production consensus code (the {@link
 * ConsensusDriver} with its WAL, the consensus and block-sync reactors and the {@link PeerRouter},
 * exactly as the node wires them) on a virtual clock, driven in one thread by a seeded scheduler
 * (TigerBeetle's simulator): only the ports are simulated. The {@link EventLoop} is virtual time;
 * the {@link PeerTransport} is a network that delays messages by a random time (which reorders
 * them), drops, duplicates or cuts them by a partition; the WAL is a list that loses its unsynced
 * tail when its node crashes; decided blocks are applied by a tiny hash-chain application. Nodes
 * crash and restart as a new driver from their stored state and WAL; byzantine nodes equivocate
 * (their transport splits each signed message), stay silent or run as twins sharing one key. One
 * seed reproduces a run exactly.
 */
final class SimNetwork {

  static final String CHAIN_ID = "sim-chain";
  static final long GENESIS_MILLIS = 1_700_000_000_000L;

  /** How a simulated node behaves. */
  enum Kind {
    HONEST,
    /** Signs two proposals / two votes per step, each sent to half of the peers. */
    EQUIVOCATOR,
    /** Runs but never sends anything. */
    SILENT,
    /** One of two nodes that share a validator key, each with its own double-sign guard. */
    TWIN
  }

  /** A task of one incarnation of a node's event loop. */
  private record Task(int incarnation, Runnable run) {}

  /** Bytes on the wire from one node to another. */
  private record Delivery(String from, int channel, byte[] bytes) {}

  /**
   * A simulated node: the production driver and reactors of its current incarnation, and its "disk"
   * (decided blocks, stored state, WAL, double-sign guard), which survives a crash.
   */
  final class Node {
    final int id;
    final String peerId;
    final Ed25519KeyPair key;
    final PrivValidator signer;
    Kind kind = Kind.HONEST;
    final List<Block> decided = new ArrayList<>();
    final List<Commit> commits = new ArrayList<>();
    final List<byte[]> appHashes = new ArrayList<>();
    final MemoryWal wal = new MemoryWal();
    ChainState stored;
    boolean down;
    int incarnation;
    int restarts;
    int nodeRefusals;
    String lastRefusal;
    byte[] appHash = Sha256.hash("genesis".getBytes(StandardCharsets.UTF_8));
    private ConsensusDriver driver;
    private PeerRouter router;

    Node(int id, Ed25519KeyPair key, PrivValidator signer) {
      this.id = id;
      this.peerId = "node" + id;
      this.key = key;
      this.signer = signer;
    }

    boolean honest() {
      return kind == Kind.HONEST;
    }

    /** The height this node works on. */
    long height() {
      return driver != null ? driver.height() : stored.height();
    }

    /** The running core (null before the node first started). */
    ConsensusCore core() {
      return driver == null ? null : driver.core();
    }

    /** WAL records that would survive a crash now. */
    int walSynced() {
      return wal.synced();
    }

    /** Starts a new incarnation: driver and reactors over this node's disk, as the node does. */
    private void boot(long firstGossipMillis) {
      int me = incarnation;
      EventLoop loop = new SimLoop(this, me);
      PeerTransport transport = new SimTransport(this);
      ValidatorHistory history = new ValidatorHistory();
      driver =
          new ConsensusDriver(
              cfg,
              CHAIN_ID,
              signer,
              wal,
              history,
              loop,
              blockSource(),
              this::applyBlock,
              signatures);
      BlockSyncReactor blockSync = new BlockSyncReactor(new StoredBlocks(this), transport, loop);
      ConsensusReactor reactor =
          new ConsensusReactor(
              driver,
              blockSync,
              transport,
              loop,
              () -> decided.isEmpty() ? 0 : 1,
              (peer, itsPeers) -> {});
      driver.attach(reactor, blockSync);
      blockSync.attach(driver);
      router = new PeerRouter(loop, transport, null).add(reactor).add(blockSync);
      driver.start(stored);
      if (gossipMillis > 0) {
        reactor.startGossip(Duration.ofMillis(firstGossipMillis), Duration.ofMillis(gossipMillis));
      }
      for (Node other : nodes) {
        if (other != this && !other.down && other.router != null) {
          router.onPeerConnected(other.peerId);
          other.router.onPeerConnected(peerId);
        }
      }
    }

    /** The decided block goes to the hash-chain application; the simulated disk keeps it. */
    private Application.FinalizeBlockResponse applyBlock(Block block, Commit commit) {
      decided.add(block);
      commits.add(commit);
      appHash = Sha256.hash(appHash, ChainState.blockId(block).getHash().toByteArray());
      appHashes.add(appHash);
      decideListener.accept(this);
      return new Application.FinalizeBlockResponse(
          List.of(),
          List.of(),
          validatorUpdates.apply(block.getHeader().getHeight()),
          appHash.clone());
    }

    private BlockSource blockSource() {
      return new BlockSource() {
        @Override
        public List<byte[]> proposalTxs(long height, long time, byte[] proposer, long maxBytes) {
          return List.of(("h=" + height + " from=" + id).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public boolean accept(Block block, byte[] hash) {
          return !rejects.test(block);
        }
      };
    }

    /** Stops at once; what the WAL had not synced is lost, like an unflushed file. */
    void crash() {
      if (driver != null) {
        stored = driver.chainState();
        nodeRefusals += driver.refusals();
        if (driver.lastRefusal() != null) {
          lastRefusal = driver.lastRefusal() + " at " + now + "ms restarts=" + restarts;
        }
        driver.stop();
      }
      down = true;
      incarnation++;
      wal.crash();
      for (Node other : nodes) {
        if (other != this && other.router != null && !other.down) {
          other.router.onPeerDisconnected(peerId);
        }
      }
      router = null;
      driver = null;
    }

    /** A new driver from the stored state and the WAL, as PeerzNode builds one at start. */
    void restart() {
      down = false;
      restarts++;
      boot(gossipMillis);
    }

    /** Refusals of the double-sign guard in every incarnation so far. */
    int refusals() {
      return nodeRefusals + (driver == null ? 0 : driver.refusals());
    }

    /** Why the guard last refused, or null. */
    String lastRefusal() {
      if (driver != null && driver.lastRefusal() != null) {
        return driver.lastRefusal() + " at " + now + "ms restarts=" + restarts;
      }
      return lastRefusal;
    }

    private void receive(Delivery d) {
      if (router != null) {
        router.onMessage(d.from(), d.channel(), d.bytes());
      }
    }
  }

  /** A node's event loop: tasks on the shared virtual clock, dropped once the node crashed. */
  private final class SimLoop implements EventLoop {
    private final Node node;
    private final int incarnation;

    SimLoop(Node node, int incarnation) {
      this.node = node;
      this.incarnation = incarnation;
    }

    @Override
    public void execute(Runnable task) {
      at(now, node, new Task(incarnation, task));
    }

    @Override
    public void schedule(Duration delay, Runnable task) {
      at(now + delay.toMillis(), node, new Task(incarnation, task));
    }

    @Override
    public long nanoTime() {
      return now * 1_000_000L;
    }

    @Override
    public long currentTimeMillis() {
      return GENESIS_MILLIS + now;
    }
  }

  /** A node's view of the faulty network, and where byzantine nodes misbehave. */
  private final class SimTransport implements PeerTransport {
    private final Node from;

    SimTransport(Node from) {
      this.from = from;
    }

    @Override
    public void send(String peer, int channel, ReactorMessage m) {
      Node to = nodes.get(Integer.parseInt(peer.substring("node".length())));
      deliver(from, to, channel, m.toByteArray());
    }

    @Override
    public void broadcast(int channel, ReactorMessage m) {
      if (from.kind == Kind.EQUIVOCATOR && m.hasProposal()) {
        equivocate(from, channel, m.getProposal());
        return;
      }
      if (from.kind == Kind.EQUIVOCATOR && m.hasVote()) {
        equivocate(from, channel, m.getVote());
        return;
      }
      byte[] bytes = m.toByteArray();
      for (Node peer : nodes) {
        if (peer != from) {
          deliver(from, peer, channel, bytes);
        }
      }
    }

    @Override
    public Collection<String> peers() {
      List<String> up = new ArrayList<>();
      for (Node n : nodes) {
        if (n != from && !n.down) {
          up.add(n.peerId);
        }
      }
      return up;
    }

    @Override
    public void misbehaved(String peer, String reason) {
      throw new AssertionError("node " + from.id + " says " + peer + " misbehaved: " + reason);
    }

    @Override
    public void unsolicited(String peer, String what) {
      // Honest nodes race (a no_block for a height already passed): nothing to hold against them.
    }
  }

  /** A node's decided blocks as block sync serves them. */
  private record StoredBlocks(Node node) implements DecidedBlocks {
    @Override
    public Optional<DecidedBlock> decided(long height) {
      int i = (int) (height - 1);
      if (i < 0 || i >= node.decided.size()) {
        return Optional.empty();
      }
      return Optional.of(
          DecidedBlock.newBuilder()
              .setBlock(node.decided.get(i))
              .setCommit(node.commits.get(i))
              .build());
    }

    @Override
    public long baseHeight() {
      return node.decided.isEmpty() ? 0 : 1;
    }
  }

  private record Scheduled(long time, long seq, Node to, Object payload)
      implements Comparable<Scheduled> {
    @Override
    public int compareTo(Scheduled o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  final long seed;
  final List<Node> nodes = new ArrayList<>();
  final Random random;
  private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
  private final ConsensusConfig cfg;
  // One memory for every node: they all verify the same votes, and the process need not repeat it.
  private final SignatureCache signatures = new SignatureCache();
  private final List<ValidatorUpdate> genesisValidators = new ArrayList<>();
  private long seq;
  long now;
  int maxDelayMillis = 50;
  int dropPercent;
  int duplicatePercent;

  /** Re-send period of the consensus reactor's gossip; 0 leaves its timer off. */
  long gossipMillis;

  /** Partition side of each node while partitioned (messages cross only within a side). */
  int[] side;

  Consumer<Node> decideListener = n -> {};
  java.util.function.Predicate<Block> rejects = b -> false;

  /** The validator updates the application returns for a height (applied two heights later). */
  java.util.function.LongFunction<List<ValidatorUpdate>> validatorUpdates = h -> List.of();

  SimNetwork(long seed, int validators, Path dir) {
    this(seed, validators, dir, 0);
  }

  /**
   * {@code validators} validators of power 10; {@code twins} more nodes that each share the key of
   * one of the last validators. {@code dir} null keeps the double-sign guards in memory (they
   * survive a simulated crash as the object does).
   */
  SimNetwork(long seed, int validators, Path dir, int twins) {
    this.seed = seed;
    this.random = new Random(seed);
    List<Ed25519KeyPair> keys = new ArrayList<>();
    for (int i = 0; i < validators; i++) {
      byte[] seedBytes = new byte[32];
      seedBytes[0] = (byte) (i + 1);
      Ed25519KeyPair key = Ed25519KeyPair.fromSeed(seedBytes);
      keys.add(key);
      genesisValidators.add(
          ValidatorUpdate.newBuilder()
              .setPubKey(ByteString.copyFrom(key.publicKey()))
              .setPower(10)
              .build());
    }
    int size = validators + twins;
    for (int i = 0; i < size; i++) {
      Ed25519KeyPair key = keys.get(i < validators ? i : validators - 1 - (i - validators));
      Path pv = dir == null ? null : dir.resolve("node" + i + "/pv_state.json");
      nodes.add(new Node(i, key, new PrivValidator(key, pv)));
    }
    for (int i = validators; i < size; i++) {
      nodes.get(i).kind = Kind.TWIN;
      nodes.get(validators - 1 - (i - validators)).kind = Kind.TWIN;
    }
    cfg =
        new ConsensusConfig(
            Duration.ofMillis(1000),
            Duration.ofMillis(500),
            Duration.ofMillis(500),
            Duration.ofMillis(250),
            Duration.ofMillis(500),
            Duration.ofMillis(250),
            Duration.ofMillis(200),
            true,
            1 << 20);
    for (Node n : nodes) {
      n.stored = ChainState.genesis(CHAIN_ID, 1, GENESIS_MILLIS, genesisValidators, n.appHash, 1);
    }
  }

  /** Starts every node that is not down, each with its gossip timer at a random phase. */
  void start() {
    for (Node n : nodes) {
      if (!n.down) {
        n.boot(gossipMillis > 0 ? 1 + random.nextInt((int) gossipMillis) : 0);
      }
    }
  }

  private void at(long time, Node to, Object payload) {
    queue.add(new Scheduled(time, seq++, to, payload));
  }

  /** One message over the faulty network: maybe dropped, cut, delayed (reordered), duplicated. */
  private void deliver(Node from, Node to, int channel, byte[] bytes) {
    if (from.kind == Kind.SILENT) {
      return;
    }
    if (side != null && side[from.id] != side[to.id]) {
      return;
    }
    int copies = random.nextInt(100) < duplicatePercent ? 2 : 1;
    for (int c = 0; c < copies; c++) {
      if (random.nextInt(100) < dropPercent) {
        continue;
      }
      at(now + 1 + random.nextInt(maxDelayMillis), to, new Delivery(from.peerId, channel, bytes));
    }
  }

  /** Sends a proposal to half of the peers and a conflicting one (another block) to the rest. */
  private void equivocate(Node from, int channel, ProposalMessage m) {
    Block a = m.getBlock();
    List<ByteString> txs = List.of(ByteString.copyFromUtf8("equivocation " + now));
    Block b =
        a.toBuilder()
            .clearTxs()
            .addAllTxs(txs)
            .setHeader(
                a.getHeader().toBuilder().setDataHash(ByteString.copyFrom(BlockHashes.data(txs))))
            .build();
    Proposal pb = m.getProposal().toBuilder().setBlockId(ChainState.blockId(b)).build();
    pb =
        pb.toBuilder()
            .setSignature(ByteString.copyFrom(from.key.sign(SignBytes.proposal(CHAIN_ID, pb))))
            .build();
    ProposalMessage other = ProposalMessage.newBuilder().setProposal(pb).setBlock(b).build();
    for (Node peer : nodes) {
      if (peer != from) {
        ProposalMessage sent = peer.id % 2 == 0 ? m : other;
        deliver(
            from,
            peer,
            channel,
            ReactorMessage.newBuilder().setProposal(sent).build().toByteArray());
      }
    }
  }

  /**
   * Sends a vote to half of the peers and one for something else (nil or a fake block) to the rest.
   */
  private void equivocate(Node from, int channel, Vote v) {
    Vote.Builder b = v.toBuilder();
    if (SignBytes.isNil(v.getBlockId())) {
      b.setBlockId(
          BlockId.newBuilder()
              .setHash(ByteString.copyFrom(Sha256.hash(v.toByteArray())))
              .setPartSetHeader(
                  io.peerz.ledger.proto.PartSetHeader.newBuilder()
                      .setTotal(1)
                      .setHash(ByteString.copyFrom(new byte[32]))));
    } else {
      b.clearBlockId();
    }
    Vote w = b.clearSignature().build();
    w =
        w.toBuilder()
            .setSignature(ByteString.copyFrom(from.key.sign(SignBytes.vote(CHAIN_ID, w))))
            .build();
    for (Node peer : nodes) {
      if (peer != from) {
        Vote sent = peer.id % 2 == 0 ? v : w;
        deliver(
            from, peer, channel, ReactorMessage.newBuilder().setVote(sent).build().toByteArray());
      }
    }
  }

  /** Runs until {@code done} holds or the virtual clock passes {@code limitMillis}. */
  boolean runUntil(java.util.function.BooleanSupplier done, long limitMillis) {
    while (!done.getAsBoolean()) {
      Scheduled s = queue.peek();
      if (s == null || s.time() > limitMillis) {
        return false;
      }
      queue.poll();
      now = s.time();
      Node n = s.to();
      if (n.down) {
        continue;
      }
      if (s.payload() instanceof Task t) {
        if (t.incarnation() == n.incarnation) {
          t.run().run();
        }
      } else if (s.payload() instanceof Delivery d) {
        n.receive(d);
      }
    }
    return true;
  }

  /** Advances the virtual clock to {@code time}, handling everything scheduled before it. */
  void runTo(long time) {
    runUntil(() -> false, time);
    now = Math.max(now, time);
  }

  boolean allDecided(int heights) {
    for (Node n : nodes) {
      if (!n.down && n.decided.size() < heights) {
        return false;
      }
    }
    return true;
  }

  /** Whether every honest node that is up has decided at least {@code heights} blocks. */
  boolean honestDecided(long heights) {
    for (Node n : nodes) {
      if (n.honest() && !n.down && n.decided.size() < heights) {
        return false;
      }
    }
    return true;
  }

  /** Refusals of the double-sign guards of all nodes so far. */
  int refusals() {
    int total = 0;
    for (Node n : nodes) {
      total += n.refusals();
    }
    return total;
  }

  /**
   * Null when no two honest nodes decided different blocks or reached different app hashes at a
   * height; otherwise what differs.
   */
  String safetyViolation() {
    TreeMap<Integer, String> blocks = new TreeMap<>();
    TreeMap<Integer, String> apps = new TreeMap<>();
    for (Node n : nodes) {
      if (!n.honest()) {
        continue;
      }
      for (int i = 0; i < n.decided.size(); i++) {
        String b = Hex.encode(ChainState.blockId(n.decided.get(i)).getHash().toByteArray());
        String a = Hex.encode(n.appHashes.get(i));
        String pb = blocks.putIfAbsent(i, b);
        String pa = apps.putIfAbsent(i, a);
        if (pb != null && !pb.equals(b)) {
          return "node " + n.id + " decided another block at height " + (i + 1);
        }
        if (pa != null && !pa.equals(a)) {
          return "node " + n.id + " has another app hash at height " + (i + 1);
        }
      }
    }
    return null;
  }
}
