package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.consensus.ConsensusEvent.Step;
import io.peerz.consensus.proto.ProposalMessage;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * timeout_commit runs from the decision, as CometBFT's StartTime = CommitTime + timeout_commit: it
 * overlaps the block's execution, and the next height starts when both are over.
 */
class CommitTimeoutTest {
  private static final String CHAIN = "commit-timeout";
  private static final long T0 = 1_700_000_000_000L;
  private static final Duration TIMEOUT_COMMIT = Duration.ofMillis(700);

  private final Ed25519KeyPair key = Ed25519KeyPair.fromSeed(new byte[32]);
  private final PrivValidator signer = new PrivValidator(key, null);
  private final ConsensusCore core = lone();

  /** A lone validator's core: it proposes and votes every height itself. */
  private ConsensusCore lone() {
    ValidatorUpdate v =
        ValidatorUpdate.newBuilder()
            .setPubKey(ByteString.copyFrom(key.publicKey()))
            .setPower(10)
            .build();
    return new ConsensusCore(
        ConsensusConfig.defaults(TIMEOUT_COMMIT),
        ChainState.genesis(CHAIN, 1, T0, List.of(v), new byte[32], 1),
        key.address().bytes(),
        new BlockSource() {
          @Override
          public List<byte[]> proposalTxs(long h, long t, byte[] proposer, long max) {
            return List.of(new byte[] {(byte) h});
          }

          @Override
          public boolean accept(io.peerz.ledger.proto.Block block, byte[] hash) {
            return true;
          }
        },
        () -> T0 + 1000,
        new SignatureCache());
  }

  /** Signs what the core asks to sign and feeds it back, as the driver does; all actions seen. */
  private List<ConsensusAction> run(List<ConsensusAction> actions) throws Exception {
    List<ConsensusAction> all = new ArrayList<>(actions);
    for (ConsensusAction a : actions) {
      if (a instanceof ConsensusAction.SignProposal sp) {
        ProposalMessage m =
            ProposalMessage.newBuilder()
                .setProposal(signer.signProposal(CHAIN, sp.proposal()))
                .setBlock(sp.block())
                .build();
        all.addAll(run(core.handle(new ConsensusEvent.ProposalReceived(m))));
      } else if (a instanceof ConsensusAction.SignVote sv) {
        all.addAll(
            run(core.handle(new ConsensusEvent.VoteReceived(signer.signVote(CHAIN, sv.vote())))));
      }
    }
    return all;
  }

  private static ConsensusAction.Decide decision(List<ConsensusAction> actions) {
    return actions.stream()
        .filter(a -> a instanceof ConsensusAction.Decide)
        .map(a -> (ConsensusAction.Decide) a)
        .findFirst()
        .orElseThrow();
  }

  private static boolean proposes(List<ConsensusAction> actions, long height) {
    return actions.stream()
        .anyMatch(
            a ->
                a instanceof ConsensusAction.SignProposal sp
                    && sp.proposal().getHeight() == height);
  }

  private ConsensusEvent.BlockApplied applied(long height) {
    return new ConsensusEvent.BlockApplied(
        height, new byte[32], BlockHashes.results(List.of()), List.of());
  }

  @Test
  void timeoutCommitIsScheduledWithTheDecisionBeforeTheBlockExecutes() throws Exception {
    List<ConsensusAction> actions = run(core.start(0));
    ConsensusAction.Decide d = decision(actions);
    assertThat(d.block().getHeader().getHeight()).isEqualTo(1);
    int decideAt = actions.indexOf(d);
    assertThat(actions.subList(0, decideAt))
        .as("scheduled before the Decide that executes the block")
        .contains(new ConsensusAction.ScheduleTimeout(1, 0, Step.NEW_HEIGHT, TIMEOUT_COMMIT));
  }

  @Test
  void whenTheTimeoutElapsesDuringExecutionTheNextHeightStartsOnApply() throws Exception {
    run(core.start(0));
    assertThat(run(core.handle(new ConsensusEvent.TimeoutElapsed(1, 0, Step.NEW_HEIGHT))))
        .isEmpty();
    assertThat(core.step()).isEqualTo(Step.COMMIT);
    List<ConsensusAction> afterApply = run(core.handle(applied(1)));
    assertThat(core.height()).isEqualTo(2);
    assertThat(proposes(afterApply, 2)).as("no second wait after execution").isTrue();
    assertThat(decision(afterApply).block().getHeader().getHeight()).isEqualTo(2);
  }

  @Test
  void whenExecutionIsFasterTheNextHeightWaitsForTheTimeout() throws Exception {
    run(core.start(0));
    List<ConsensusAction> afterApply = run(core.handle(applied(1)));
    assertThat(core.height()).isEqualTo(2);
    assertThat(core.step()).isEqualTo(Step.NEW_HEIGHT);
    assertThat(proposes(afterApply, 2)).isFalse();
    List<ConsensusAction> afterTimeout =
        run(core.handle(new ConsensusEvent.TimeoutElapsed(1, 0, Step.NEW_HEIGHT)));
    assertThat(proposes(afterTimeout, 2)).isTrue();
  }

  @Test
  void aStaleCommitTimeoutStartsNothing() throws Exception {
    run(core.start(0));
    run(core.handle(applied(1)));
    run(core.handle(new ConsensusEvent.TimeoutElapsed(1, 0, Step.NEW_HEIGHT)));
    run(core.handle(applied(2)));
    assertThat(core.height()).isEqualTo(3);
    // Height 1's timeout again (a duplicate) must not start height 3 early.
    assertThat(run(core.handle(new ConsensusEvent.TimeoutElapsed(1, 0, Step.NEW_HEIGHT))))
        .isEmpty();
    assertThat(core.step()).isEqualTo(Step.NEW_HEIGHT);
  }
}
