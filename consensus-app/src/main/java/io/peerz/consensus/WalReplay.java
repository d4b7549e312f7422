package io.peerz.consensus;

import io.peerz.consensus.ConsensusEvent.Step;
import io.peerz.consensus.proto.WalRecord;
import io.peerz.consensus.proto.WalTimeout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings a fresh core back to where a crashed one was (CometBFT's catchupReplay): the WAL's records
 * of the core's height go through it in their original order, so it re-derives its round, lock and
 * valid value. What the replay asks for is only returned when the log does not show it done: a
 * signature the log holds no signed message for (the crash came between asking and signing; the
 * double-sign guard answers with the stored signature when it was signed), a timeout that never
 * fired, a decision not yet applied.
 */
final class WalReplay {
  private WalReplay() {}

  /** The height a record belongs to. */
  static long height(WalRecord r) {
    return switch (r.getRecordCase()) {
      case PROPOSAL -> r.getProposal().getProposal().getHeight();
      case VOTE -> r.getVote().getHeight();
      case TIMEOUT -> r.getTimeout().getHeight();
      case TXS_AVAILABLE -> r.getTxsAvailable();
      case START -> r.getStart().getHeight();
      case RECORD_NOT_SET -> -1;
    };
  }

  /** The record of an input handled at {@code height}, or null for one the WAL does not keep. */
  static WalRecord record(ConsensusEvent e, long height) {
    if (e instanceof ConsensusEvent.ProposalReceived p) {
      return WalRecord.newBuilder().setProposal(p.message()).build();
    } else if (e instanceof ConsensusEvent.VoteReceived v) {
      return WalRecord.newBuilder().setVote(v.vote()).build();
    } else if (e instanceof ConsensusEvent.TimeoutElapsed t) {
      return WalRecord.newBuilder().setTimeout(timeout(t.height(), t.round(), t.step())).build();
    } else if (e instanceof ConsensusEvent.TxsAvailable) {
      return WalRecord.newBuilder().setTxsAvailable(height).build();
    }
    // Decided blocks from peers are fetched again; BlockApplied ends the height.
    return null;
  }

  /** The record saying the core entered {@code height} at {@code round}. */
  static WalRecord start(long height, int round) {
    return WalRecord.newBuilder().setStart(timeout(height, round, Step.NEW_ROUND)).build();
  }

  private static WalTimeout timeout(long height, int round, Step step) {
    return WalTimeout.newBuilder()
        .setHeight(height)
        .setRound(round)
        .setStep(step.ordinal())
        .build();
  }

  /**
   * Starts {@code core} at its height and replays {@code records} (any height; those below the
   * core's are skipped). With no record of the height, the core starts at {@code fallbackRound}
   * (past every round the signer already signed in) and all its actions are returned.
   */
  static List<ConsensusAction> replay(
      ConsensusCore core, List<WalRecord> records, byte[] self, int fallbackRound) {
    long h = core.chainState().height();
    List<WalRecord> mine = new ArrayList<>();
    int startRound = 0;
    boolean started = false;
    for (WalRecord r : records) {
      if (height(r) < h) {
        continue;
      }
      if (r.hasStart()) {
        if (!started && r.getStart().getHeight() == h) {
          startRound = r.getStart().getRound();
          started = true;
        }
        continue;
      }
      mine.add(r);
    }
    if (mine.isEmpty() && !started) {
      return core.start(fallbackRound);
    }
    Pending pending = new Pending();
    pending.add(core.start(startRound));
    for (WalRecord r : mine) {
      ConsensusEvent e = event(r);
      if (e == null) {
        continue;
      }
      pending.done(e, self);
      pending.add(core.handle(e));
    }
    return pending.remaining();
  }

  private static ConsensusEvent event(WalRecord r) {
    return switch (r.getRecordCase()) {
      case PROPOSAL -> new ConsensusEvent.ProposalReceived(r.getProposal());
      case VOTE -> new ConsensusEvent.VoteReceived(r.getVote());
      case TIMEOUT ->
          new ConsensusEvent.TimeoutElapsed(
              r.getTimeout().getHeight(),
              r.getTimeout().getRound(),
              Step.values()[r.getTimeout().getStep()]);
      case TXS_AVAILABLE -> new ConsensusEvent.TxsAvailable();
      case START, RECORD_NOT_SET -> null;
    };
  }

  /** The actions asked for during replay that the log does not show as done. */
  private static final class Pending {
    private final Map<String, ConsensusAction> signs = new LinkedHashMap<>();
    private final java.util.Set<String> signed = new java.util.HashSet<>();
    private final Map<String, ConsensusAction> timeouts = new LinkedHashMap<>();
    private final List<ConsensusAction> decisions = new ArrayList<>();

    void add(List<ConsensusAction> actions) {
      for (ConsensusAction a : actions) {
        if (a instanceof ConsensusAction.SignProposal p) {
          sign("proposal/" + p.proposal().getHeight() + "/" + p.proposal().getRound(), a);
        } else if (a instanceof ConsensusAction.SignVote v) {
          sign(
              "vote/"
                  + v.vote().getType().getNumber()
                  + "/"
                  + v.vote().getHeight()
                  + "/"
                  + v.vote().getRound(),
              a);
        } else if (a instanceof ConsensusAction.ScheduleTimeout t) {
          timeouts.put(t.height() + "/" + t.round() + "/" + t.step(), a);
        } else if (a instanceof ConsensusAction.Decide) {
          decisions.add(a);
        }
      }
    }

    /** A signature asked for; one the log already shows signed is not asked again. */
    private void sign(String key, ConsensusAction a) {
      if (!signed.contains(key)) {
        signs.put(key, a);
      }
    }

    private void signedNow(String key) {
      signed.add(key);
      signs.remove(key);
    }

    void done(ConsensusEvent e, byte[] self) {
      if (e instanceof ConsensusEvent.ProposalReceived p) {
        var block = p.message().getBlock();
        if (self != null
            && Arrays.equals(block.getHeader().getProposerAddress().toByteArray(), self)) {
          var prop = p.message().getProposal();
          signedNow("proposal/" + prop.getHeight() + "/" + prop.getRound());
        }
      } else if (e instanceof ConsensusEvent.VoteReceived v) {
        if (self != null && Arrays.equals(v.vote().getValidatorAddress().toByteArray(), self)) {
          signedNow(
              "vote/"
                  + v.vote().getType().getNumber()
                  + "/"
                  + v.vote().getHeight()
                  + "/"
                  + v.vote().getRound());
        }
      } else if (e instanceof ConsensusEvent.TimeoutElapsed t) {
        timeouts.remove(t.height() + "/" + t.round() + "/" + t.step());
      }
    }

    List<ConsensusAction> remaining() {
      List<ConsensusAction> all = new ArrayList<>(timeouts.values());
      all.addAll(signs.values());
      all.addAll(decisions);
      return all;
    }
  }
}
