package io.peerz.consensus;

import io.peerz.consensus.proto.Proposal;
import io.peerz.consensus.proto.ProposalMessage;
import io.peerz.consensus.proto.ReactorMessage;
import io.peerz.consensus.proto.RoundState;
import io.peerz.consensus.proto.Vote;
import io.peerz.p2p.P2pChannels;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consensus reactor (CometBFT's consensus/reactor.go): tells peers this node's round state when
 * it changes, sends them its signed proposals and votes, hands their proposals and votes to the
 * driver, and on a timer re-sends what a peer at the same height may have lost. Peers at other
 * heights are block sync's. Loop thread only.
 */
public final class ConsensusReactor implements ConsensusDriver.Outbox, Reactor {

  /** How often proposals, votes and round states are re-sent (loss tolerance). */
  public static final Duration GOSSIP_INTERVAL = Duration.ofMillis(500);

  // A proposal is MBs under load: re-sending it sooner than this fills a busy peer's queue with
  // copies of the same MBs.
  private static final long PROPOSAL_RESEND_NANOS = 2_000_000_000L;

  private static final Logger log = LoggerFactory.getLogger(ConsensusReactor.class);

  /** What a peer last said about its round, and which proposal we last pushed to it. */
  private static final class PeerState {
    long height;
    int round;
    boolean hasProposal;
    long proposalSentHeight = -1;
    int proposalSentRound = -1;
    long proposalSentAtNanos;

    /** Whether the proposal of height/round goes to this peer now, and if so notes it as sent. */
    boolean sendProposal(long height, int round, long now) {
      if (proposalSentHeight == height
          && proposalSentRound == round
          && now - proposalSentAtNanos < PROPOSAL_RESEND_NANOS) {
        return false;
      }
      proposalSentHeight = height;
      proposalSentRound = round;
      proposalSentAtNanos = now;
      return true;
    }
  }

  private final ConsensusDriver driver;
  private final BlockSyncReactor blockSync;
  private final PeerTransport transport;
  private final EventLoop loop;
  private final LongSupplier baseHeight;
  private final BiConsumer<String, Set<String>> peerLists;
  private final Map<String, PeerState> peers = new HashMap<>();
  private RoundState announced;
  private Duration gossipInterval;

  /**
   * The reactor of {@code driver}; {@code baseHeight} is the first block this node serves, and
   * {@code peerLists} learns each peer's own peers from its round state (the mempool's relay rule).
   */
  public ConsensusReactor(
      ConsensusDriver driver,
      BlockSyncReactor blockSync,
      PeerTransport transport,
      EventLoop loop,
      LongSupplier baseHeight,
      BiConsumer<String, Set<String>> peerLists) {
    this.driver = driver;
    this.blockSync = blockSync;
    this.transport = transport;
    this.loop = loop;
    this.baseHeight = baseHeight;
    this.peerLists = peerLists;
  }

  /**
   * Re-sends what peers may have missed every {@code interval}, the first time after {@code first}.
   */
  public void startGossip(Duration first, Duration interval) {
    gossipInterval = interval;
    loop.schedule(first, this::gossipTick);
  }

  @Override
  public Set<ReactorMessage.MsgCase> cases() {
    return Set.of(
        ReactorMessage.MsgCase.PROPOSAL,
        ReactorMessage.MsgCase.VOTE,
        ReactorMessage.MsgCase.ROUND_STATE);
  }

  @Override
  public void peerConnected(String peer) {
    peers.put(peer, new PeerState());
    log.info("peer connected peer={} peers={}", peer, peers.size());
    if (!driver.started()) {
      return; // state syncing: no round state to tell yet
    }
    transport.send(
        peer,
        P2pChannels.CONSENSUS_STATE,
        ReactorMessage.newBuilder().setRoundState(roundState()).build());
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
      case PROPOSAL -> driver.deliver(new ConsensusEvent.ProposalReceived(m.getProposal()));
      case VOTE -> driver.deliver(new ConsensusEvent.VoteReceived(m.getVote()));
      case ROUND_STATE -> peerRoundState(peer, m.getRoundState());
      default -> log.debug("peer message unexpected peer={} case={}", peer, m.getMsgCase());
    }
  }

  private void peerRoundState(String peer, RoundState rs) {
    PeerState p = peers.computeIfAbsent(peer, x -> new PeerState());
    p.height = rs.getHeight();
    p.round = rs.getRound();
    p.hasProposal = rs.getHasProposal();
    peerLists.accept(peer, Set.copyOf(rs.getPeersList()));
    blockSync.status(peer, rs.getHeight());
  }

  @Override
  public void proposal(ProposalMessage m) {
    transport.broadcast(
        P2pChannels.CONSENSUS_DATA, ReactorMessage.newBuilder().setProposal(m).build());
    long now = loop.nanoTime();
    Proposal p = m.getProposal();
    peers.values().forEach(ps -> ps.sendProposal(p.getHeight(), p.getRound(), now));
  }

  @Override
  public void vote(Vote v) {
    transport.broadcast(P2pChannels.CONSENSUS_VOTE, ReactorMessage.newBuilder().setVote(v).build());
  }

  /** Tells peers about a new height, round or step (CometBFT's NewRoundStep). */
  @Override
  public void stepped() {
    RoundState rs = roundState();
    if (!rs.equals(announced)) {
      announced = rs;
      transport.broadcast(
          P2pChannels.CONSENSUS_STATE, ReactorMessage.newBuilder().setRoundState(rs).build());
    }
  }

  private RoundState roundState() {
    return RoundState.newBuilder()
        .setHeight(driver.height())
        .setRound(driver.round())
        .setStep(driver.step().ordinal())
        .setHasProposal(driver.hasProposal())
        .setBaseHeight(baseHeight.getAsLong())
        .addAllPeers(transport.peers().stream().limit(ReactorChannels.ROUND_STATE_PEERS).toList())
        .build();
  }

  /**
   * Loss tolerance: every interval each peer gets my round state, and a peer on my height the
   * proposals and votes I hold that it may have missed; block sync serves the others.
   */
  private void gossipTick() {
    loop.schedule(gossipInterval, this::gossipTick);
    if (!driver.started()) {
      return; // state syncing
    }
    RoundState rs = roundState();
    announced = rs;
    transport.broadcast(
        P2pChannels.CONSENSUS_STATE, ReactorMessage.newBuilder().setRoundState(rs).build());
    List<ConsensusEvent> mine = null;
    for (Map.Entry<String, PeerState> e : peers.entrySet()) {
      PeerState p = e.getValue();
      if (p.height != driver.height()) {
        continue;
      }
      if (mine == null) {
        mine = driver.gossip();
      }
      for (ConsensusEvent m : mine) {
        if (m instanceof ConsensusEvent.ProposalReceived pr) {
          Proposal proposal = pr.message().getProposal();
          if ((!p.hasProposal || p.round != proposal.getRound())
              && p.sendProposal(proposal.getHeight(), proposal.getRound(), loop.nanoTime())) {
            transport.send(
                e.getKey(),
                P2pChannels.CONSENSUS_DATA,
                ReactorMessage.newBuilder().setProposal(pr.message()).build());
          }
        } else if (m instanceof ConsensusEvent.VoteReceived v) {
          transport.send(
              e.getKey(),
              P2pChannels.CONSENSUS_VOTE,
              ReactorMessage.newBuilder().setVote(v.vote()).build());
        }
      }
    }
    blockSync.tick();
  }
}
