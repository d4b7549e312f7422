package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.consensus.proto.Proposal;
import io.peerz.consensus.proto.ProposalMessage;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A deterministic network of consensus cores on a virtual clock: messages are delivered after a
 * seeded random delay (or dropped), timeouts fire in virtual time, and decided blocks are applied
 * by a tiny hash-chain application. One seed reproduces a run exactly.
 */
final class SimNetwork {

  static final String CHAIN_ID = "sim-chain";
  static final long GENESIS_MILLIS = 1_700_000_000_000L;

  /** A validator in the simulation. */
  final class Node {
    final int id;
    final Ed25519KeyPair key;
    final PrivValidator signer;
    ConsensusCore core;
    final List<Block> decided = new ArrayList<>();
    final List<io.peerz.ledger.proto.Commit> commits = new ArrayList<>();
    boolean down;
    byte[] appHash = Sha256.hash("genesis".getBytes(StandardCharsets.UTF_8));

    Node(int id, Ed25519KeyPair key, PrivValidator signer) {
      this.id = id;
      this.key = key;
      this.signer = signer;
    }

    void perform(List<ConsensusAction> actions) {
      for (ConsensusAction a : actions) {
        if (a instanceof ConsensusAction.SignProposal p) {
          try {
            Proposal signed = signer.signProposal(CHAIN_ID, p.proposal());
            ProposalMessage m =
                ProposalMessage.newBuilder().setProposal(signed).setBlock(p.block()).build();
            broadcast(this, new ConsensusEvent.ProposalReceived(m));
          } catch (PrivValidator.DoubleSignException e) {
            refusals++;
          }
        } else if (a instanceof ConsensusAction.SignVote v) {
          try {
            Vote signed = signer.signVote(CHAIN_ID, v.vote());
            broadcast(this, new ConsensusEvent.VoteReceived(signed));
          } catch (PrivValidator.DoubleSignException e) {
            refusals++;
          }
        } else if (a instanceof ConsensusAction.ScheduleTimeout t) {
          at(
              now + t.after().toMillis(),
              this,
              new ConsensusEvent.TimeoutElapsed(t.height(), t.round(), t.step()));
        } else if (a instanceof ConsensusAction.Decide d) {
          decided.add(d.block());
          commits.add(d.commit());
          decideListener.accept(this);
          appHash = Sha256.hash(appHash, ChainState.blockId(d.block()).getHash().toByteArray());
          at(
              now,
              this,
              new ConsensusEvent.BlockApplied(
                  d.block().getHeader().getHeight(),
                  appHash,
                  BlockHashes.results(List.of()),
                  List.of()));
        }
      }
    }
  }

  private record Scheduled(long time, long seq, Node to, ConsensusEvent event)
      implements Comparable<Scheduled> {
    @Override
    public int compareTo(Scheduled o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  final long seed;
  final List<Node> nodes = new ArrayList<>();
  private final Random random;
  private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
  private long seq;
  long now;
  int maxDelayMillis = 50;
  int dropPercent;
  int refusals;
  Consumer<Node> decideListener = n -> {};
  java.util.function.Predicate<Block> rejects = b -> false;

  SimNetwork(long seed, int validators, Path dir) {
    this.seed = seed;
    this.random = new Random(seed);
    List<ValidatorUpdate> updates = new ArrayList<>();
    for (int i = 0; i < validators; i++) {
      byte[] seedBytes = new byte[32];
      seedBytes[0] = (byte) (i + 1);
      Ed25519KeyPair key = Ed25519KeyPair.fromSeed(seedBytes);
      updates.add(
          ValidatorUpdate.newBuilder()
              .setPubKey(ByteString.copyFrom(key.publicKey()))
              .setPower(10)
              .build());
      nodes.add(
          new Node(i, key, new PrivValidator(key, dir.resolve("node" + i + "/pv_state.json"))));
    }
    ConsensusConfig cfg =
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
      ChainState genesis = ChainState.genesis(CHAIN_ID, 1, GENESIS_MILLIS, updates, n.appHash, 1);
      n.core =
          new ConsensusCore(
              cfg, genesis, n.key.address().bytes(), blockSource(n), () -> GENESIS_MILLIS + now);
    }
  }

  private ConsensusCore.BlockSource blockSource(Node n) {
    return new ConsensusCore.BlockSource() {
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
      }
    }
  }

  private void at(long time, Node to, ConsensusEvent e) {
    queue.add(new Scheduled(time, seq++, to, e));
  }

  private void broadcast(Node from, ConsensusEvent e) {
    at(now, from, e);
    for (Node peer : nodes) {
      if (peer == from || random.nextInt(100) < dropPercent) {
        continue;
      }
      at(now + 1 + random.nextInt(maxDelayMillis), peer, e);
    }
  }

  /** Runs until {@code done} holds or the virtual clock passes {@code limitMillis}. */
  boolean runUntil(java.util.function.BooleanSupplier done, long limitMillis) {
    while (!done.getAsBoolean()) {
      Scheduled s = queue.poll();
      if (s == null || s.time() > limitMillis) {
        return false;
      }
      now = s.time();
      if (!s.to().down) {
        s.to().perform(s.to().core.handle(s.event()));
      }
    }
    return true;
  }

  boolean allDecided(int heights) {
    for (Node n : nodes) {
      if (!n.down && n.decided.size() < heights) {
        return false;
      }
    }
    return true;
  }
}
