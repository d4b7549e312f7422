package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.consensus.proto.Proposal;
import io.peerz.consensus.proto.ProposalMessage;
import io.peerz.consensus.proto.Vote;
import io.peerz.consensus.proto.WalRecord;
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
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A deterministic network of real consensus cores on a virtual clock, driven in one thread by a
 * seeded scheduler: messages are delayed by a random time (which reorders them), dropped,
 * duplicated or cut by a partition; nodes crash (losing what their WAL had not synced) and restart
 * as a new core from their stored state and WAL; byzantine nodes equivocate, stay silent or run as
 * twins sharing one key. Decided blocks are applied by a tiny hash-chain application. With gossip
 * on, every node re-sends its round's proposals and votes and serves decided blocks to peers that
 * are behind, as PeerzNode's reactor does. One seed reproduces a run exactly.
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

  /** A status message: the height the sender works on. */
  private record Status(Node from, long height) {}

  /** The gossip timer of one incarnation of a node. */
  private record Tick(int incarnation) {}

  /** A timeout of one incarnation of a node. */
  private record Timer(int incarnation, ConsensusEvent.TimeoutElapsed event) {}

  /** A simulated node: its core, its "disk" (decided blocks, state, WAL, signer) and its kind. */
  final class Node {
    final int id;
    final Ed25519KeyPair key;
    final PrivValidator signer;
    Kind kind = Kind.HONEST;
    ConsensusCore core;
    final List<Block> decided = new ArrayList<>();
    final List<Commit> commits = new ArrayList<>();
    final List<byte[]> appHashes = new ArrayList<>();
    final List<WalRecord> wal = new ArrayList<>();
    int walSynced;
    ChainState stored;
    boolean down;
    int incarnation;
    int restarts;
    int nodeRefusals;
    String lastRefusal;
    final long[] peerHeights;
    byte[] appHash = Sha256.hash("genesis".getBytes(StandardCharsets.UTF_8));

    Node(int id, Ed25519KeyPair key, PrivValidator signer, int size) {
      this.id = id;
      this.key = key;
      this.signer = signer;
      this.peerHeights = new long[size];
    }

    boolean honest() {
      return kind == Kind.HONEST;
    }

    long height() {
      return stored.height();
    }

    /** An input from outside the core: logged (when new), then handled. */
    void deliver(ConsensusEvent e) {
      if (core.known(e)) {
        return;
      }
      WalRecord r = WalReplay.record(e, core.height());
      if (r != null
          && WalReplay.height(r) >= core.height()
          && WalReplay.height(r) <= core.height() + 1) {
        wal.add(r);
      }
      perform(core.handle(e));
    }

    void perform(List<ConsensusAction> actions) {
      for (ConsensusAction a : actions) {
        if (a instanceof ConsensusAction.SignProposal p) {
          try {
            Proposal signed = signer.signProposal(CHAIN_ID, p.proposal());
            ProposalMessage m =
                ProposalMessage.newBuilder().setProposal(signed).setBlock(p.block()).build();
            wal.add(WalRecord.newBuilder().setProposal(m).build());
            walSynced = wal.size();
            if (kind == Kind.EQUIVOCATOR) {
              equivocate(this, m);
            } else {
              broadcast(this, new ConsensusEvent.ProposalReceived(m));
            }
            perform(core.handle(new ConsensusEvent.ProposalReceived(m)));
          } catch (PrivValidator.DoubleSignException e) {
            refusals++;
            nodeRefusals++;
            lastRefusal = e.getMessage() + " at " + now + "ms restarts=" + restarts;
          }
        } else if (a instanceof ConsensusAction.SignVote v) {
          try {
            Vote signed = signer.signVote(CHAIN_ID, v.vote());
            wal.add(WalRecord.newBuilder().setVote(signed).build());
            walSynced = wal.size();
            if (kind == Kind.EQUIVOCATOR) {
              equivocate(this, signed);
            } else {
              broadcast(this, new ConsensusEvent.VoteReceived(signed));
            }
            perform(core.handle(new ConsensusEvent.VoteReceived(signed)));
          } catch (PrivValidator.DoubleSignException e) {
            refusals++;
            nodeRefusals++;
            lastRefusal = e.getMessage() + " at " + now + "ms restarts=" + restarts;
          }
        } else if (a instanceof ConsensusAction.ScheduleTimeout t) {
          at(
              now + t.after().toMillis(),
              this,
              new Timer(
                  incarnation, new ConsensusEvent.TimeoutElapsed(t.height(), t.round(), t.step())));
        } else if (a instanceof ConsensusAction.Decide d) {
          decided.add(d.block());
          commits.add(d.commit());
          appHash = Sha256.hash(appHash, ChainState.blockId(d.block()).getHash().toByteArray());
          appHashes.add(appHash);
          // The WAL keeps only the next height's early messages (a rewrite, synced).
          long next = d.block().getHeader().getHeight() + 1;
          wal.removeIf(rec -> WalReplay.height(rec) < next);
          walSynced = wal.size();
          decideListener.accept(this);
          perform(
              core.handle(
                  new ConsensusEvent.BlockApplied(
                      d.block().getHeader().getHeight(),
                      appHash,
                      BlockHashes.results(List.of()),
                      validatorUpdates.apply(d.block().getHeader().getHeight()))));
          stored = core.chainState();
        }
      }
    }

    /** Stops at once; what the WAL had not synced is lost, like an unflushed file. */
    void crash() {
      down = true;
      incarnation++;
      wal.subList(walSynced, wal.size()).clear();
    }

    /** A new core from the stored state and the WAL, as PeerzNode.startConsensus builds it. */
    void restart() {
      down = false;
      restarts++;
      core = newCore(this, stored);
      PrivValidator.LastSigned last = signer.lastSigned();
      int fallback = last != null && last.height() == stored.height() ? last.round() + 1 : 0;
      perform(WalReplay.replay(core, wal, key.address().bytes(), fallback));
      if (gossipMillis > 0) {
        at(now + gossipMillis, this, new Tick(incarnation));
      }
    }

    private void tick() {
      for (Node peer : nodes) {
        if (peer == this) {
          continue;
        }
        send(this, peer, new Status(this, core.height()));
        long h = peerHeights[peer.id];
        if (h == core.height()) {
          for (ConsensusEvent e : core.gossip()) {
            send(this, peer, e);
          }
        } else if (h > 0 && h < core.height()) {
          serve(peer, h);
        }
      }
      at(now + gossipMillis, this, new Tick(incarnation));
    }

    private void status(Status s) {
      peerHeights[s.from().id] = s.height();
      if (s.height() < core.height()) {
        serve(s.from(), s.height());
      }
    }

    private void serve(Node peer, long height) {
      int i = (int) (height - 1);
      if (i >= 0 && i < decided.size()) {
        send(this, peer, new ConsensusEvent.DecidedReceived(decided.get(i), commits.get(i)));
      }
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
  private final List<ValidatorUpdate> genesisValidators = new ArrayList<>();
  private long seq;
  long now;
  int maxDelayMillis = 50;
  int dropPercent;
  int duplicatePercent;

  /** Re-send period of the reactor's gossip; 0 turns gossip and catch-up off. */
  long gossipMillis;

  /** Partition side of each node while partitioned (messages cross only within a side). */
  int[] side;

  int refusals;
  Consumer<Node> decideListener = n -> {};
  java.util.function.Predicate<Block> rejects = b -> false;

  /** The validator updates the application returns for a height (applied two heights later). */
  java.util.function.LongFunction<List<ValidatorUpdate>> validatorUpdates = h -> List.of();

  SimNetwork(long seed, int validators, Path dir) {
    this(seed, validators, dir, 0);
  }

  /**
   * {@code validators} validators of power 10; {@code twinOf} >= 0 adds one more node that shares
   * that validator's key. {@code dir} null keeps the double-sign guards in memory (they survive a
   * simulated crash as the object does).
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
      nodes.add(new Node(i, key, new PrivValidator(key, pv), size));
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
      n.core = newCore(n, n.stored);
    }
  }

  private ConsensusCore newCore(Node n, ChainState state) {
    return new ConsensusCore(
        cfg, state, n.key.address().bytes(), blockSource(n), () -> GENESIS_MILLIS + now);
  }

  private BlockSource blockSource(Node n) {
    return new BlockSource() {
      @Override
      public List<byte[]> proposalTxs(long height, long time, byte[] proposer, long maxBytes) {
        return List.of(("h=" + height + " from=" + n.id).getBytes(StandardCharsets.UTF_8));
      }

      @Override
      public boolean accept(Block block, byte[] hash) {
        return !rejects.test(block);
      }
    };
  }

  void start() {
    for (Node n : nodes) {
      if (!n.down) {
        n.perform(n.core.start(0));
        if (gossipMillis > 0) {
          at(now + 1 + random.nextInt((int) gossipMillis), n, new Tick(n.incarnation));
        }
      }
    }
  }

  private void at(long time, Node to, Object payload) {
    queue.add(new Scheduled(time, seq++, to, payload));
  }

  private void broadcast(Node from, Object message) {
    for (Node peer : nodes) {
      if (peer != from) {
        send(from, peer, message);
      }
    }
  }

  /** One message over the faulty network: maybe dropped, cut, delayed (reordered), duplicated. */
  private void send(Node from, Node to, Object message) {
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
      at(now + 1 + random.nextInt(maxDelayMillis), to, message);
    }
  }

  /** Sends a proposal to half of the peers and a conflicting one (another block) to the rest. */
  private void equivocate(Node from, ProposalMessage m) {
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
        send(from, peer, new ConsensusEvent.ProposalReceived(peer.id % 2 == 0 ? m : other));
      }
    }
  }

  /**
   * Sends a vote to half of the peers and one for something else (nil or a fake block) to the rest.
   */
  private void equivocate(Node from, Vote v) {
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
        send(from, peer, new ConsensusEvent.VoteReceived(peer.id % 2 == 0 ? v : w));
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
      Object p = s.payload();
      if (p instanceof ConsensusEvent e) {
        n.deliver(e);
      } else if (p instanceof Timer t) {
        if (t.incarnation() == n.incarnation) {
          n.deliver(t.event());
        }
      } else if (p instanceof Tick t) {
        if (t.incarnation() == n.incarnation) {
          n.tick();
        }
      } else if (p instanceof Status st) {
        n.status(st);
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
