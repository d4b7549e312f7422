package io.peerz.consensus;

import io.peerz.consensus.proto.DecidedBlock;
import io.peerz.consensus.proto.Proposal;
import io.peerz.consensus.proto.ProposalMessage;
import io.peerz.consensus.proto.Vote;
import io.peerz.consensus.proto.WalRecord;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.Commit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consensus loop (CometBFT's consensus/state.go around the sans-IO {@link ConsensusCore}):
 * feeds the core its inputs one at a time, each logged to the WAL first; carries out what the core
 * asks (signs behind the double-sign guard and makes the signed message durable before it leaves,
 * schedules timeouts, has decided blocks executed); and restarts from the WAL in the middle of a
 * height. It runs over ports: an {@link EventLoop} for its thread, timers and clocks, an {@link
 * Outbox} towards peers, an {@link Execution} for decided blocks and a {@link CatchUp} for blocks
 * fetched from peers. The node and the simulation drive this same class. Loop thread only, except
 * the getters marked otherwise.
 */
public final class ConsensusDriver {

  /** Where the driver's signed messages and step changes go: the consensus reactor. */
  public interface Outbox {
    /** Our signed proposal with its block, to every peer. */
    void proposal(ProposalMessage message);

    /** Our signed vote, to every peer. */
    void vote(Vote vote);

    /** The height, round or step may have changed (once per batch of inputs). */
    void stepped();
  }

  /**
   * Stores and executes a decided block: appends it, finalizes and commits it in the application,
   * and answers with the application's response.
   */
  public interface Execution {
    Application.FinalizeBlockResponse apply(Block block, Commit commit);
  }

  /** Blocks of the current height fetched from peers: block sync. */
  public interface CatchUp {
    /** The fetched decided block of {@code height}, taken out, or null. */
    DecidedBlock take(long height);
  }

  private static final Logger log = LoggerFactory.getLogger(ConsensusDriver.class);

  private final ConsensusConfig config;
  private final String chainId;
  private final PrivValidator signer;
  private final Wal wal;
  private final ValidatorHistory history;
  private final EventLoop loop;
  private final BlockSource blocks;
  private final Execution execution;
  private final SignatureCache signatures;
  private Outbox outbox;
  private CatchUp catchUp;
  private ConsensusCore core;
  private long recordedHeight;
  private volatile boolean stopped;
  private int refusals;
  private String lastRefusal;

  /** A driver for {@code signer}'s validator; {@link #attach} and {@link #start} follow. */
  public ConsensusDriver(
      ConsensusConfig config,
      String chainId,
      PrivValidator signer,
      Wal wal,
      ValidatorHistory history,
      EventLoop loop,
      BlockSource blocks,
      Execution execution,
      SignatureCache signatures) {
    this.config = config;
    this.chainId = chainId;
    this.signer = signer;
    this.wal = wal;
    this.history = history;
    this.loop = loop;
    this.blocks = blocks;
    this.execution = execution;
    this.signatures = signatures;
  }

  /** The reactor that sends what the driver signs, and the block sync it takes blocks from. */
  public void attach(Outbox outbox, CatchUp catchUp) {
    this.outbox = outbox;
    this.catchUp = catchUp;
  }

  /**
   * Builds the core at {@code state} (the application's last commit, from the handshake), replays
   * the WAL's records of its height and runs what the replay leaves to do on the loop. A node that
   * restarts mid-height begins past every round it already signed in: no vote is asked for twice,
   * so the double-sign guard never has to refuse one.
   */
  public void start(ChainState state) {
    recordedHeight = state.height();
    core =
        new ConsensusCore(
            config, state, signer.address(), blocks, loop::currentTimeMillis, signatures);
    PrivValidator.LastSigned last = signer.lastSigned();
    int fallbackRound = last != null && last.height() == state.height() ? last.round() + 1 : 0;
    List<WalRecord> records = wal.recovered();
    boolean replayed = records.stream().anyMatch(r -> WalReplay.height(r) >= state.height());
    List<ConsensusAction> first = WalReplay.replay(core, records, signer.address(), fallbackRound);
    wal.height(state.height());
    if (!replayed) {
      wal.rotate(state.height());
      wal.append(WalReplay.start(state.height(), fallbackRound));
      wal.sync();
    }
    loop.execute(() -> run(first));
    log.info(
        "consensus started chain_id={} height={} round={} wal_records={} lock_restored={}"
            + " validator={}",
        state.chainId(),
        state.height(),
        core.round(),
        records.size(),
        replayed,
        Hex.encodeUpper(signer.address()));
  }

  /** Whether {@link #start} ran; before it (state sync) consensus messages are ignored. */
  public boolean started() {
    return core != null;
  }

  /** Stops handling inputs; what is running finishes its current step. Any thread. */
  public void stop() {
    stopped = true;
  }

  /**
   * An input from outside the core (a peer's message, a timeout): logged when new, then handled.
   */
  void deliver(ConsensusEvent e) {
    if (stopped || core.known(e)) {
      return;
    }
    WalRecord r = WalReplay.record(e, core.height());
    // The next height's messages are logged too: the core buffers them and uses them after the
    // commit, so a replay of that height needs them.
    if (r != null
        && WalReplay.height(r) >= core.height()
        && WalReplay.height(r) <= core.height() + 1) {
      wal.append(r);
    }
    run(core.handle(e));
  }

  /** The mempool holds txs (only matters when empty blocks are not created); any thread. */
  public void txsAvailable() {
    loop.execute(() -> deliver(new ConsensusEvent.TxsAvailable()));
  }

  /** Takes the fetched blocks the core can use now (block sync calls this when one arrives). */
  void pump() {
    run(List.of());
  }

  private void run(List<ConsensusAction> first) {
    Deque<ConsensusEvent> events = new ArrayDeque<>();
    perform(first, events);
    while (!stopped) {
      ConsensusEvent next = events.poll();
      if (next == null) {
        next = nextFetchedBlock();
        if (next == null) {
          break;
        }
      }
      perform(core.handle(next), events);
      recordValidators();
    }
    outbox.stepped();
  }

  /** The fetched block of the current height, once the core can take it. */
  private ConsensusEvent nextFetchedBlock() {
    if (core.step() == ConsensusEvent.Step.COMMIT) {
      return null;
    }
    DecidedBlock d = catchUp.take(core.height());
    return d == null ? null : new ConsensusEvent.DecidedReceived(d.getBlock(), d.getCommit());
  }

  private void recordValidators() {
    ChainState s = core.chainState();
    if (s.height() > recordedHeight) {
      history.record(s.height(), s.validators());
      recordedHeight = s.height();
    }
  }

  private void perform(List<ConsensusAction> actions, Deque<ConsensusEvent> events) {
    for (ConsensusAction a : actions) {
      if (a instanceof ConsensusAction.SignProposal p) {
        try {
          Proposal signed = signer.signProposal(chainId, p.proposal());
          ProposalMessage m =
              ProposalMessage.newBuilder().setProposal(signed).setBlock(p.block()).build();
          // On disk before it leaves the process: a restart must know it proposed this.
          wal.append(WalRecord.newBuilder().setProposal(m).build());
          wal.sync();
          outbox.proposal(m);
          events.add(new ConsensusEvent.ProposalReceived(m));
        } catch (PrivValidator.DoubleSignException e) {
          refused(e);
          log.error("proposal not signed reason={}", e.getMessage());
        }
      } else if (a instanceof ConsensusAction.SignVote v) {
        try {
          Vote signed = signer.signVote(chainId, v.vote());
          wal.append(WalRecord.newBuilder().setVote(signed).build());
          wal.sync();
          outbox.vote(signed);
          events.add(new ConsensusEvent.VoteReceived(signed));
        } catch (PrivValidator.DoubleSignException e) {
          refused(e);
          log.error("vote not signed reason={}", e.getMessage());
        }
      } else if (a instanceof ConsensusAction.ScheduleTimeout t) {
        if (!stopped) {
          ConsensusEvent.TimeoutElapsed elapsed =
              new ConsensusEvent.TimeoutElapsed(t.height(), t.round(), t.step());
          loop.schedule(t.after(), () -> deliver(elapsed));
        }
      } else if (a instanceof ConsensusAction.Decide d) {
        events.add(apply(d.block(), d.commit()));
      }
    }
  }

  private ConsensusEvent.BlockApplied apply(Block block, Commit commit) {
    long height = block.getHeader().getHeight();
    // The set of the next height is known now; record it before the block becomes visible.
    history.record(height + 1, core.chainState().nextValidators());
    recordedHeight = height + 1;
    Application.FinalizeBlockResponse r = execution.apply(block, commit);
    // The block is stored and executed: this height's inputs are no longer needed.
    wal.rotate(height + 1);
    return new ConsensusEvent.BlockApplied(
        height, r.appHash(), BlockHashes.results(r.txResults()), r.validatorUpdates());
  }

  private void refused(PrivValidator.DoubleSignException e) {
    refusals++;
    lastRefusal = e.getMessage();
  }

  /** The height consensus works on. */
  long height() {
    return core.height();
  }

  /** The round of the current height. */
  int round() {
    return core.round();
  }

  /** The step of the current round. */
  ConsensusEvent.Step step() {
    return core.step();
  }

  /** Whether the core holds the proposal of its current round. */
  boolean hasProposal() {
    return core.hasProposal();
  }

  /** What a peer at the same height may have missed (see {@link ConsensusCore#gossip}). */
  List<ConsensusEvent> gossip() {
    return core.gossip();
  }

  /** What consensus knows after the last applied block. */
  ChainState chainState() {
    return core.chainState();
  }

  /** The core itself (the simulation's checks read its round and lock). */
  ConsensusCore core() {
    return core;
  }

  /** Signatures the double-sign guard refused so far; an honest restart must cause none. */
  int refusals() {
    return refusals;
  }

  /** Why the last signature was refused, or null. */
  String lastRefusal() {
    return lastRefusal;
  }
}
