package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.consensus.ConsensusEvent.Step;
import io.peerz.consensus.proto.DuplicateVoteEvidence;
import io.peerz.consensus.proto.Proposal;
import io.peerz.consensus.proto.ProposalMessage;
import io.peerz.consensus.proto.SignedMsgType;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockId;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.Header;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Tendermint consensus algorithm for one validator, sans I/O (the shape of CometBFT's
 * consensus/state.go): events go in one at a time, actions come out, and nothing here reads the
 * network, the disk or a timer. The rules are those of "The latest gossip on BFT consensus"
 * (Buchman, Kwon, Milosevic, 2018): a proposer per round chosen by weighted rotation, prevotes and
 * precommits that need more than two thirds of the voting power, a locked value that keeps a
 * validator from precommitting two blocks at one height, a valid value the next proposer
 * re-proposes, and round skipping on one third of the power seen in a later round.
 *
 * <p>Single owner: one thread calls {@link #start} and {@link #handle}. Own proposals and votes
 * come back as events after the driver signed them, exactly like a peer's.
 */
final class ConsensusCore {

  private static final Logger log = LoggerFactory.getLogger(ConsensusCore.class);

  /** Messages kept for the next height (only the next: later ones come again by gossip). */
  private static final int MAX_BUFFERED = 1_000;

  private static final int MAX_PENDING_EVIDENCE = 100;
  private static final int MAX_BLOCK_EVIDENCE = 16;
  private static final int MAX_COMMITTED_EVIDENCE = 10_000;

  private record RoundProposal(Proposal proposal, Block block, BlockId id) {}

  private final ConsensusConfig cfg;
  private final byte[] self;
  private final BlockSource app;
  private final LongSupplier clock;
  private final SignatureCache signatures;
  private final byte[] consensusHash;

  private ChainState state;
  private long height;
  private int round;
  private Step step = Step.NEW_HEIGHT;

  private final Map<Integer, RoundProposal> proposals = new HashMap<>();
  private final Map<String, Block> blocks = new HashMap<>();
  private final Map<String, Boolean> validity = new HashMap<>();
  // The last block whose id was computed, and the id: the id hashes the whole block's encoding,
  // and a proposal's block is asked for it on arrival, at each pass of the upon-rules (valid)
  // and by the application's check, always the same immutable instance.
  private Block idBlock;
  private BlockId idOfBlock;
  private final Map<Integer, ValidatorSet.Member> proposerCache = new HashMap<>();
  private final TreeMap<Integer, VoteSet> prevotes = new TreeMap<>();
  private final TreeMap<Integer, VoteSet> precommits = new TreeMap<>();
  private final TreeMap<Integer, BitSet> participants = new TreeMap<>();
  private int lockedRound = -1;
  private BlockId lockedId;
  private int validRound = -1;
  private Block validBlock;
  private boolean prevoteTimeoutScheduled;
  private boolean precommitTimeoutScheduled;
  // Whether timeout_commit of the decided height elapsed before its block was applied.
  private boolean commitWaitOver;
  private boolean validUpdatedThisRound;
  private boolean txsAvailable;
  private Block decidedBlock;
  private Commit decidedCommit;
  private VoteSet lastCommitVotes;
  private final List<ConsensusEvent> future = new ArrayList<>();

  /** Evidence seen and not yet committed, by offence; kept across heights. */
  private final java.util.LinkedHashMap<String, DuplicateVoteEvidence> pendingEvidence =
      new java.util.LinkedHashMap<>();

  /** Offences already committed (recent ones), so a proposer does not include them again. */
  private final java.util.LinkedHashSet<String> committedEvidence = new java.util.LinkedHashSet<>();

  private List<ConsensusAction> out = new ArrayList<>();

  /**
   * A core continuing from {@code state}; {@code self} is this node's validator address (null for a
   * node that only follows).
   */
  ConsensusCore(
      ConsensusConfig cfg,
      ChainState state,
      byte[] self,
      BlockSource app,
      LongSupplier clock,
      SignatureCache signatures) {
    this.cfg = cfg;
    this.state = state;
    this.self = self;
    this.app = app;
    this.clock = clock;
    this.signatures = signatures;
    this.consensusHash = ChainState.consensusParamsHash(cfg.maxBlockTxBytes());
  }

  /**
   * Enters the next height at {@code startRound} (above 0 after a restart in the middle of a
   * height, so that no vote signed before the restart is asked for again).
   */
  List<ConsensusAction> start(int startRound) {
    height = state.height();
    resetHeight();
    startRound(startRound);
    progress();
    return drain();
  }

  List<ConsensusAction> handle(ConsensusEvent event) {
    dispatch(event);
    progress();
    return drain();
  }

  long height() {
    return height;
  }

  int round() {
    return round;
  }

  Step step() {
    return step;
  }

  ChainState chainState() {
    return state;
  }

  /**
   * What this core holds that a peer at the same height may have missed: the proposals and the
   * prevotes and precommits of the current and previous round, of the valid and locked rounds and
   * of the proof-of-lock round of the current proposal. Re-sent periodically so that lost messages
   * do not stall a height.
   */
  List<ConsensusEvent> gossip() {
    java.util.TreeSet<Integer> rounds = new java.util.TreeSet<>();
    rounds.add(round);
    if (round > 0) {
      rounds.add(round - 1);
    }
    if (validRound >= 0) {
      rounds.add(validRound);
    }
    if (lockedRound >= 0) {
      rounds.add(lockedRound);
    }
    RoundProposal current = proposals.get(round);
    if (current != null && current.proposal().getPolRound() >= 0) {
      rounds.add(current.proposal().getPolRound());
    }
    List<ConsensusEvent> msgs = new ArrayList<>();
    for (int r : rounds) {
      RoundProposal rp = proposals.get(r);
      if (rp != null) {
        msgs.add(
            new ConsensusEvent.ProposalReceived(
                ProposalMessage.newBuilder()
                    .setProposal(rp.proposal())
                    .setBlock(rp.block())
                    .build()));
      }
      for (TreeMap<Integer, VoteSet> sets : List.of(prevotes, precommits)) {
        VoteSet set = sets.get(r);
        if (set != null) {
          for (Vote v : set.all()) {
            msgs.add(new ConsensusEvent.VoteReceived(v));
          }
        }
      }
    }
    return msgs;
  }

  /**
   * Whether {@code e} is a proposal or vote this core already holds (gossip re-sends them): the
   * driver neither logs nor handles those again.
   */
  boolean known(ConsensusEvent e) {
    if (e instanceof ConsensusEvent.VoteReceived ve) {
      Vote v = ve.vote();
      if (v.getHeight() != height) {
        return false;
      }
      VoteSet set =
          (v.getType() == SignedMsgType.SIGNED_MSG_TYPE_PREVOTE ? prevotes : precommits)
              .get(v.getRound());
      return set != null && set.contains(v);
    }
    if (e instanceof ConsensusEvent.ProposalReceived pe) {
      Proposal p = pe.message().getProposal();
      RoundProposal rp = p.getHeight() == height ? proposals.get(p.getRound()) : null;
      return rp != null && rp.proposal().equals(p);
    }
    return false;
  }

  /** The round this core is locked in, -1 when unlocked. */
  int lockedRound() {
    return lockedRound;
  }

  /** The block id this core is locked on, or null. */
  BlockId lockedBlockId() {
    return lockedId;
  }

  /** The round of the valid value, -1 when none. */
  int validRound() {
    return validRound;
  }

  /** Whether the core holds the proposal of its current round. */
  boolean hasProposal() {
    return proposals.containsKey(round);
  }

  /** The proposer of {@code round} at the current height. */
  byte[] proposerAddress(int round) {
    return proposerOf(round).address.clone();
  }

  private List<ConsensusAction> drain() {
    List<ConsensusAction> actions = out;
    out = new ArrayList<>();
    return actions;
  }

  private void dispatch(ConsensusEvent event) {
    if (event instanceof ConsensusEvent.ProposalReceived p) {
      onProposal(p.message());
    } else if (event instanceof ConsensusEvent.VoteReceived v) {
      onVote(v.vote());
    } else if (event instanceof ConsensusEvent.DecidedReceived d) {
      onDecided(d.block(), d.commit());
    } else if (event instanceof ConsensusEvent.TimeoutElapsed t) {
      onTimeout(t);
    } else if (event instanceof ConsensusEvent.TxsAvailable) {
      onTxsAvailable();
    } else if (event instanceof ConsensusEvent.BlockApplied b) {
      onApplied(b);
    }
  }

  // ---- events ----

  private void onProposal(ProposalMessage message) {
    Proposal p = message.getProposal();
    Block block = message.getBlock();
    if (p.getHeight() > height) {
      buffer(new ConsensusEvent.ProposalReceived(message));
      return;
    }
    if (p.getHeight() != height
        || step == Step.COMMIT
        || p.getType() != SignedMsgType.SIGNED_MSG_TYPE_PROPOSAL) {
      return;
    }
    int r = p.getRound();
    if (r < 0 || proposals.containsKey(r) || p.getPolRound() < -1 || p.getPolRound() >= r) {
      return;
    }
    ValidatorSet.Member proposer = proposerOf(r);
    if (!signatures.verify(
        proposer.pubKey, SignBytes.proposal(state.chainId(), p), p.getSignature().toByteArray())) {
      log.warn("proposal rejected height={} round={} reason=bad_signature", height, r);
      return;
    }
    BlockId id = blockId(block);
    if (!id.equals(p.getBlockId()) || block.getHeader().getHeight() != height) {
      log.warn("proposal rejected height={} round={} reason=block_mismatch", height, r);
      return;
    }
    proposals.put(r, new RoundProposal(p, block, id));
    blocks.put(VoteSet.key(id), block);
  }

  private void onVote(Vote v) {
    SignedMsgType type = v.getType();
    if (type != SignedMsgType.SIGNED_MSG_TYPE_PREVOTE
        && type != SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT) {
      return;
    }
    if (v.getHeight() > height) {
      buffer(new ConsensusEvent.VoteReceived(v));
      return;
    }
    if (v.getHeight() == height - 1
        && type == SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT
        && lastCommitVotes != null
        && v.getRound() == lastCommitVotes.round) {
      // A late precommit for the last block still strengthens the next block's last_commit.
      if (verifyVote(v, state.lastValidators())) {
        lastCommitVotes.add(v);
      }
      return;
    }
    if (v.getHeight() != height || v.getRound() < 0) {
      return;
    }
    VoteSet existing =
        (type == SignedMsgType.SIGNED_MSG_TYPE_PREVOTE ? prevotes : precommits).get(v.getRound());
    int index = v.getValidatorIndex();
    if (existing != null
        && index >= 0
        && index < state.validators().size()
        && existing.contains(v)) {
      // Gossip re-sends the same votes often; an identical one was verified already.
      return;
    }
    if (!verifyVote(v, state.validators())) {
      log.warn(
          "vote rejected height={} round={} type={} reason=bad_signature_or_index",
          height,
          v.getRound(),
          type);
      return;
    }
    VoteSet set = votes(type, v.getRound());
    VoteSet.Added added = set.add(v);
    if (added == VoteSet.Added.DUPLICATE || added == VoteSet.Added.REFUSED) {
      return;
    }
    if (added == VoteSet.Added.CONFLICT) {
      Vote first = set.get(v.getValidatorIndex());
      DuplicateVoteEvidence ev = Evidence.duplicate(first, v, state.validators());
      String offence = Evidence.offence(ev);
      if (!committedEvidence.contains(offence)
          && !pendingEvidence.containsKey(offence)
          && pendingEvidence.size() < MAX_PENDING_EVIDENCE) {
        pendingEvidence.put(offence, ev);
      }
      log.warn(
          "equivocation height={} round={} type={} validator={}",
          height,
          v.getRound(),
          type,
          Hex.encodeUpper(v.getValidatorAddress().toByteArray()));
      return;
    }
    participants.computeIfAbsent(v.getRound(), r -> new BitSet()).set(v.getValidatorIndex());
  }

  private boolean verifyVote(Vote v, ValidatorSet vals) {
    int i = v.getValidatorIndex();
    if (vals == null || i < 0 || i >= vals.size()) {
      return false;
    }
    ValidatorSet.Member m = vals.get(i);
    if (!Arrays.equals(m.address, v.getValidatorAddress().toByteArray())) {
      return false;
    }
    return signatures.verify(
        m.pubKey, SignBytes.vote(state.chainId(), v), v.getSignature().toByteArray());
  }

  private void onDecided(Block block, Commit commit) {
    if (block.getHeader().getHeight() != height || step == Step.COMMIT) {
      return;
    }
    BlockId id = blockId(block);
    String why =
        commit.getBlockId().equals(id)
            ? invalidCommit(commit, height, id, state.validators())
            : "commit_block_id";
    if (why == null) {
      why = invalidReason(block, false);
    }
    if (why != null) {
      log.warn("decided block rejected height={} reason={}", height, why);
      return;
    }
    blocks.put(VoteSet.key(id), block);
    log.debug("decided by received commit height={} round={}", height, commit.getRound());
    decide(block, commit);
  }

  /**
   * Enters the commit step with the decided block. timeout_commit starts now, as CometBFT's
   * StartTime = CommitTime + timeout_commit: it runs while the block executes, and the next height
   * starts when both are over (see {@link #onTimeout} and {@link #onApplied}).
   */
  private void decide(Block block, Commit commit) {
    step = Step.COMMIT;
    decidedBlock = block;
    decidedCommit = commit;
    commitWaitOver = false;
    schedule(Step.NEW_HEIGHT, 0, cfg.timeoutCommit());
    out.add(new ConsensusAction.Decide(block, commit));
  }

  private void onTimeout(ConsensusEvent.TimeoutElapsed t) {
    if (t.step() == Step.NEW_HEIGHT) {
      // timeout_commit of height t.height(), scheduled when it was decided.
      if (t.height() == height && step == Step.COMMIT) {
        commitWaitOver = true; // the block is still executing: the next height starts after it
      } else if (t.height() == height - 1 && step == Step.NEW_HEIGHT) {
        startRound(0);
      }
      return;
    }
    if (t.height() != height) {
      return;
    }
    switch (t.step()) {
      case PROPOSE -> {
        if (t.round() == round && step == Step.PROPOSE) {
          prevote(null);
          step = Step.PREVOTE;
        }
      }
      case PREVOTE_WAIT -> {
        if (t.round() == round && step == Step.PREVOTE) {
          precommit(null);
          step = Step.PRECOMMIT;
        }
      }
      case PRECOMMIT_WAIT -> {
        if (t.round() == round && step != Step.COMMIT && step != Step.NEW_HEIGHT) {
          startRound(round + 1);
        }
      }
      default -> {}
    }
  }

  private void onTxsAvailable() {
    txsAvailable = true;
    if (step == Step.NEW_ROUND) {
      enterPropose();
    }
  }

  private void onApplied(ConsensusEvent.BlockApplied b) {
    if (step != Step.COMMIT || b.height() != height) {
      return;
    }
    state =
        state.next(decidedBlock, decidedCommit, b.appHash(), b.resultsHash(), b.validatorUpdates());
    for (DuplicateVoteEvidence e : Evidence.of(decidedBlock)) {
      String offence = Evidence.offence(e);
      pendingEvidence.remove(offence);
      committedEvidence.add(offence);
      if (committedEvidence.size() > MAX_COMMITTED_EVIDENCE) {
        committedEvidence.remove(committedEvidence.iterator().next());
      }
    }
    // Evidence is committed at its height or the next one only (its validator set is known then).
    pendingEvidence.values().removeIf(e -> e.getVoteA().getHeight() < b.height());
    VoteSet committed = precommits.get(decidedCommit.getRound());
    if (committed != null && !decidedCommit.getBlockId().equals(committed.twoThirdsMajority())) {
      // Decided from a peer's commit: our own precommits of that round never reached +2/3.
      committed = null;
    }
    boolean waited = commitWaitOver;
    height = state.height();
    resetHeight();
    lastCommitVotes = committed;
    step = Step.NEW_HEIGHT;
    // Messages that arrived early for this height count now; later ones stay buffered.
    List<ConsensusEvent> early = new ArrayList<>(future);
    future.clear();
    for (ConsensusEvent e : early) {
      dispatch(e);
    }
    if (waited && step == Step.NEW_HEIGHT) {
      startRound(0); // timeout_commit elapsed while the block executed
    }
  }

  private void buffer(ConsensusEvent e) {
    long h =
        e instanceof ConsensusEvent.VoteReceived v
            ? v.vote().getHeight()
            : ((ConsensusEvent.ProposalReceived) e).message().getProposal().getHeight();
    if (h == height + 1 && future.size() < MAX_BUFFERED) {
      future.add(e);
    }
  }

  // ---- rounds ----

  private void resetHeight() {
    round = 0;
    proposals.clear();
    blocks.clear();
    validity.clear();
    proposerCache.clear();
    prevotes.clear();
    precommits.clear();
    participants.clear();
    lockedRound = -1;
    lockedId = null;
    validRound = -1;
    validBlock = null;
    txsAvailable = false;
    decidedBlock = null;
    decidedCommit = null;
    commitWaitOver = false;
    lastCommitVotes = null;
  }

  private void startRound(int r) {
    round = r;
    prevoteTimeoutScheduled = false;
    precommitTimeoutScheduled = false;
    validUpdatedThisRound = false;
    if (!cfg.createEmptyBlocks() && r == 0 && !txsAvailable && height > state.initialHeight()) {
      // CometBFT's create_empty_blocks=false: round 0 waits for txs before anyone proposes.
      step = Step.NEW_ROUND;
      return;
    }
    enterPropose();
  }

  private void enterPropose() {
    step = Step.PROPOSE;
    schedule(Step.PROPOSE, round, cfg.propose(round));
    if (self != null && Arrays.equals(proposerOf(round).address, self)) {
      Block block;
      int polRound;
      if (validBlock != null) {
        block = validBlock;
        polRound = validRound;
      } else {
        block = createBlock();
        polRound = -1;
      }
      Proposal p =
          Proposal.newBuilder()
              .setType(SignedMsgType.SIGNED_MSG_TYPE_PROPOSAL)
              .setHeight(height)
              .setRound(round)
              .setPolRound(polRound)
              .setBlockId(blockId(block))
              .setTimestamp(SignBytes.timestamp(clock.getAsLong()))
              .build();
      log.debug("proposing height={} round={} pol_round={}", height, round, polRound);
      out.add(new ConsensusAction.SignProposal(p, block));
    }
  }

  private Block createBlock() {
    // Block time: the proposer's clock, forced strictly above the previous block's time.
    long time = Math.max(clock.getAsLong(), state.lastBlockTimeMillis() + 1);
    // A lone validator fills blocks; a proposal that travels to others is capped.
    long maxTxBytes =
        state.validators().size() > 1
            ? Math.min(cfg.maxBlockTxBytes(), ConsensusConfig.PROPOSAL_TX_BYTES)
            : cfg.maxBlockTxBytes();
    List<byte[]> txs = app.proposalTxs(height, time, self, maxTxBytes);
    List<ByteString> txBytes = new ArrayList<>(txs.size());
    for (byte[] tx : txs) {
      txBytes.add(ByteString.copyFrom(tx));
    }
    Commit lastCommit = Commit.getDefaultInstance();
    if (height > state.initialHeight()) {
      lastCommit = lastCommitVotes != null ? lastCommitVotes.makeCommit() : state.lastCommit();
    }
    List<DuplicateVoteEvidence> evidence = new ArrayList<>();
    for (DuplicateVoteEvidence e : pendingEvidence.values()) {
      if (evidence.size() < MAX_BLOCK_EVIDENCE && e.getVoteA().getHeight() >= height - 1) {
        evidence.add(e);
      }
    }
    Header header =
        Header.newBuilder()
            .setVersionBlock(ChainState.BLOCK_PROTOCOL_VERSION)
            .setVersionApp(state.appVersion())
            .setChainId(state.chainId())
            .setHeight(height)
            .setTime(SignBytes.timestamp(time))
            .setLastBlockId(state.lastBlockId())
            .setLastCommitHash(ByteString.copyFrom(BlockHashes.commit(lastCommit)))
            .setDataHash(ByteString.copyFrom(BlockHashes.data(txBytes)))
            .setValidatorsHash(ByteString.copyFrom(state.validators().hash()))
            .setNextValidatorsHash(ByteString.copyFrom(state.nextValidators().hash()))
            .setConsensusHash(ByteString.copyFrom(consensusHash))
            .setAppHash(ByteString.copyFrom(state.appHash()))
            .setLastResultsHash(ByteString.copyFrom(state.lastResultsHash()))
            .setEvidenceHash(ByteString.copyFrom(BlockHashes.evidence(evidence)))
            .setProposerAddress(ByteString.copyFrom(self))
            .build();
    return Evidence.with(
        Block.newBuilder().setHeader(header).addAllTxs(txBytes).setLastCommit(lastCommit).build(),
        evidence);
  }

  /** Applies the algorithm's upon-rules until none fires. */
  private void progress() {
    boolean changed = true;
    while (changed) {
      changed = false;
      if (step == Step.COMMIT || tryDecide()) {
        return;
      }
      Integer later = laterRoundWithOneThird();
      if (later != null) {
        startRound(later);
        changed = true;
        continue;
      }
      RoundProposal rp = proposals.get(round);
      if ((step == Step.PROPOSE || step == Step.NEW_ROUND) && rp != null) {
        int vr = rp.proposal().getPolRound();
        if (vr == -1) {
          boolean ok = valid(rp.block()) && (lockedRound == -1 || rp.id().equals(lockedId));
          prevote(ok ? rp : null);
          step = Step.PREVOTE;
          changed = true;
          continue;
        }
        VoteSet pol = prevotes.get(vr);
        BlockId polMaj = pol == null ? null : pol.twoThirdsMajority();
        if (vr < round && polMaj != null && polMaj.equals(rp.id())) {
          boolean ok = valid(rp.block()) && (lockedRound <= vr || rp.id().equals(lockedId));
          prevote(ok ? rp : null);
          step = Step.PREVOTE;
          changed = true;
          continue;
        }
      }
      VoteSet pvs = prevotes.get(round);
      if (step == Step.PREVOTE
          && pvs != null
          && pvs.hasTwoThirdsAny()
          && !prevoteTimeoutScheduled) {
        prevoteTimeoutScheduled = true;
        schedule(Step.PREVOTE_WAIT, round, cfg.prevote(round));
      }
      BlockId maj = pvs == null ? null : pvs.twoThirdsMajority();
      if (!validUpdatedThisRound
          && (step == Step.PREVOTE || step == Step.PRECOMMIT)
          && maj != null
          && !SignBytes.isNil(maj)
          && rp != null
          && maj.equals(rp.id())
          && valid(rp.block())) {
        validUpdatedThisRound = true;
        if (step == Step.PREVOTE) {
          lockedRound = round;
          lockedId = rp.id();
          precommit(rp);
          step = Step.PRECOMMIT;
        }
        validRound = round;
        validBlock = rp.block();
        changed = true;
        continue;
      }
      if (step == Step.PREVOTE && maj != null && SignBytes.isNil(maj)) {
        precommit(null);
        step = Step.PRECOMMIT;
        changed = true;
        continue;
      }
      VoteSet pcs = precommits.get(round);
      if (pcs != null
          && pcs.hasTwoThirdsAny()
          && !precommitTimeoutScheduled
          && step != Step.NEW_HEIGHT) {
        precommitTimeoutScheduled = true;
        schedule(Step.PRECOMMIT_WAIT, round, cfg.precommit(round));
      }
    }
  }

  /** Any round's +2/3 precommits for a block we hold and find valid decide the height. */
  private boolean tryDecide() {
    for (VoteSet set : precommits.values()) {
      BlockId maj = set.twoThirdsMajority();
      if (maj == null || SignBytes.isNil(maj)) {
        continue;
      }
      Block block = blocks.get(VoteSet.key(maj));
      if (block != null && valid(block)) {
        log.debug("decided height={} round={} txs={}", height, set.round, block.getTxsCount());
        decide(block, set.makeCommit());
        return true;
      }
    }
    return false;
  }

  /** The lowest later round in which validators with more than 1/3 of the power spoke. */
  private Integer laterRoundWithOneThird() {
    for (Map.Entry<Integer, BitSet> e : participants.tailMap(round, false).entrySet()) {
      long power = 0;
      BitSet who = e.getValue();
      for (int i = who.nextSetBit(0); i >= 0; i = who.nextSetBit(i + 1)) {
        power += state.validators().get(i).power;
      }
      if (state.validators().isOneThird(power)) {
        return e.getKey();
      }
    }
    return null;
  }

  // ---- votes ----

  private void prevote(RoundProposal target) {
    vote(SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, target);
  }

  private void precommit(RoundProposal target) {
    vote(SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT, target);
  }

  private void vote(SignedMsgType type, RoundProposal target) {
    if (self == null) {
      return;
    }
    int index = state.validators().indexOf(self);
    if (index < 0) {
      return;
    }
    long now = clock.getAsLong();
    Vote.Builder v =
        Vote.newBuilder()
            .setType(type)
            .setHeight(height)
            .setRound(round)
            .setValidatorAddress(ByteString.copyFrom(self))
            .setValidatorIndex(index);
    if (target != null) {
      v.setBlockId(target.id());
      // A vote is never older than the block it votes for (CometBFT's voteTime).
      now = Math.max(now, Blocks.millis(target.block().getHeader().getTime()) + 1);
    }
    v.setTimestamp(SignBytes.timestamp(now));
    out.add(new ConsensusAction.SignVote(v.build()));
  }

  private VoteSet votes(SignedMsgType type, int r) {
    TreeMap<Integer, VoteSet> sets =
        type == SignedMsgType.SIGNED_MSG_TYPE_PREVOTE ? prevotes : precommits;
    return sets.computeIfAbsent(r, x -> new VoteSet(height, x, type, state.validators()));
  }

  private ValidatorSet.Member proposerOf(int r) {
    return proposerCache.computeIfAbsent(r, x -> state.validators().copyIncrement(x).proposer());
  }

  private void schedule(Step s, int r, Duration after) {
    out.add(new ConsensusAction.ScheduleTimeout(height, r, s, after));
  }

  // ---- validation ----

  /** {@link ChainState#blockId}, remembered for the last block asked. */
  private BlockId blockId(Block block) {
    if (block != idBlock) {
      idOfBlock = ChainState.blockId(block);
      idBlock = block;
    }
    return idOfBlock;
  }

  private boolean valid(Block block) {
    return validity.computeIfAbsent(VoteSet.key(blockId(block)), k -> check(block));
  }

  private boolean check(Block block) {
    String why = invalidReason(block, true);
    if (why != null) {
      log.warn("invalid block height={} reason={}", height, why);
      return false;
    }
    return true;
  }

  private String invalidReason(Block block, boolean askApplication) {
    Header h = block.getHeader();
    if (!h.getChainId().equals(state.chainId())) {
      return "chain_id";
    }
    if (h.getHeight() != height) {
      return "height";
    }
    if (h.getVersionBlock() != ChainState.BLOCK_PROTOCOL_VERSION
        || h.getVersionApp() != state.appVersion()) {
      return "version";
    }
    if (!h.getLastBlockId().equals(state.lastBlockId())) {
      return "last_block_id";
    }
    if (Blocks.millis(h.getTime()) <= state.lastBlockTimeMillis()) {
      return "time_not_increasing";
    }
    if (!Arrays.equals(
        h.getLastCommitHash().toByteArray(), BlockHashes.commit(block.getLastCommit()))) {
      return "last_commit_hash";
    }
    if (!Arrays.equals(h.getDataHash().toByteArray(), BlockHashes.data(block.getTxsList()))) {
      return "data_hash";
    }
    if (!Arrays.equals(h.getValidatorsHash().toByteArray(), state.validators().hash())
        || !Arrays.equals(h.getNextValidatorsHash().toByteArray(), state.nextValidators().hash())) {
      return "validators_hash";
    }
    if (!Arrays.equals(h.getConsensusHash().toByteArray(), consensusHash)) {
      return "consensus_hash";
    }
    if (!Arrays.equals(h.getAppHash().toByteArray(), state.appHash())) {
      return "app_hash";
    }
    if (!Arrays.equals(h.getLastResultsHash().toByteArray(), state.lastResultsHash())) {
      return "last_results_hash";
    }
    String evidence = invalidEvidence(block, h);
    if (evidence != null) {
      return evidence;
    }
    if (state.validators().indexOf(h.getProposerAddress().toByteArray()) < 0) {
      return "proposer_not_validator";
    }
    long txBytes = 0;
    for (ByteString tx : block.getTxsList()) {
      txBytes += tx.size();
    }
    if (txBytes > cfg.maxBlockTxBytes()) {
      return "too_many_tx_bytes";
    }
    String commit = invalidLastCommit(block.getLastCommit());
    if (commit != null) {
      return commit;
    }
    if (askApplication && !app.accept(block, blockId(block).getHash().toByteArray())) {
      return "rejected_by_application";
    }
    return null;
  }

  private String invalidEvidence(Block block, Header h) {
    List<DuplicateVoteEvidence> evidence = Evidence.of(block);
    if (!Arrays.equals(h.getEvidenceHash().toByteArray(), BlockHashes.evidence(evidence))) {
      return "evidence_hash";
    }
    if (evidence.size() > MAX_BLOCK_EVIDENCE) {
      return "too_much_evidence";
    }
    java.util.Set<String> offences = new java.util.HashSet<>();
    for (DuplicateVoteEvidence e : evidence) {
      long eh = e.getVoteA().getHeight();
      ValidatorSet vals =
          eh == height ? state.validators() : eh == height - 1 ? state.lastValidators() : null;
      String why = Evidence.invalidReason(e, state.chainId(), vals, signatures);
      if (why != null) {
        return why;
      }
      if (!offences.add(Evidence.offence(e))) {
        return "evidence_duplicate";
      }
    }
    return null;
  }

  private String invalidLastCommit(Commit c) {
    if (height == state.initialHeight()) {
      return c.getSignaturesCount() == 0 ? null : "last_commit_at_initial_height";
    }
    String why = invalidCommit(c, height - 1, state.lastBlockId(), state.lastValidators());
    return why == null ? null : "last_" + why;
  }

  /**
   * Why {@code c} does not prove that validators with more than two thirds of {@code vals}' power
   * precommitted {@code id} at height {@code h}, or null when it does (CometBFT's VerifyCommit).
   */
  private String invalidCommit(Commit c, long h, BlockId id, ValidatorSet vals) {
    return Commits.invalid(state.chainId(), c, h, id, vals, signatures);
  }
}
