package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.consensus.proto.ProposalMessage;
import io.peerz.consensus.proto.SignedMsgType;
import io.peerz.consensus.proto.Vote;
import io.peerz.consensus.proto.WalRecord;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockId;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsensusWalTest {

  private static final String CHAIN = "wal-chain";
  private static final long T0 = 1_700_000_000_000L;

  @TempDir Path dir;

  private static WalRecord timeoutRecord(int round) {
    return WalReplay.record(
        new ConsensusEvent.TimeoutElapsed(1, round, ConsensusEvent.Step.PROPOSE), 1);
  }

  @Test
  void recordsSurviveReopeningAndATornTailIsCutOffNotFatal() throws IOException {
    Path file = dir.resolve("data/cs.wal");
    try (ConsensusWal wal = ConsensusWal.open(file)) {
      for (int r = 0; r < 3; r++) {
        wal.append(timeoutRecord(r));
      }
      wal.sync();
    }
    long good = Files.size(file);
    // A crash in the middle of the fourth record: a header promising more bytes than follow.
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.allocate(12).putInt(100).putInt(7).putInt(1).flip());
    }
    try (ConsensusWal wal = ConsensusWal.open(file)) {
      assertThat(wal.recovered())
          .containsExactly(timeoutRecord(0), timeoutRecord(1), timeoutRecord(2));
      assertThat(wal.size()).isEqualTo(good);
      wal.append(timeoutRecord(3));
    }
    try (ConsensusWal wal = ConsensusWal.open(file)) {
      assertThat(wal.recovered()).hasSize(4).last().isEqualTo(timeoutRecord(3));
    }
  }

  @Test
  void aRecordWithABadChecksumEndsTheLog() throws IOException {
    Path file = dir.resolve("cs.wal");
    try (ConsensusWal wal = ConsensusWal.open(file)) {
      wal.append(timeoutRecord(0));
      wal.append(timeoutRecord(1));
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 0x01;
    Files.write(file, bytes);
    try (ConsensusWal wal = ConsensusWal.open(file)) {
      assertThat(wal.recovered()).containsExactly(timeoutRecord(0));
    }
  }

  @Test
  void rotationEmptiesTheLogOfTheCommittedHeight() {
    Path file = dir.resolve("cs.wal");
    try (ConsensusWal wal = ConsensusWal.open(file)) {
      wal.height(1);
      wal.append(timeoutRecord(0));
      wal.rotate(1);
      wal.append(timeoutRecord(1));
    }
    try (ConsensusWal wal = ConsensusWal.open(file)) {
      assertThat(wal.recovered()).containsExactly(timeoutRecord(1));
    }
  }

  @Test
  void rotationKeepsRecordsOfTheNextHeightLoggedEarly() {
    Path file = dir.resolve("cs.wal");
    WalRecord early =
        WalReplay.record(new ConsensusEvent.TimeoutElapsed(2, 0, ConsensusEvent.Step.PROPOSE), 1);
    try (ConsensusWal wal = ConsensusWal.open(file)) {
      wal.height(1);
      wal.append(timeoutRecord(0));
      wal.append(early);
      wal.rotate(2);
    }
    try (ConsensusWal wal = ConsensusWal.open(file)) {
      assertThat(wal.recovered()).containsExactly(early);
    }
  }

  /** Four validators; the core under test is validator {@code me}'s; inputs are logged. */
  private final class Harness {
    final List<Ed25519KeyPair> keys = new ArrayList<>();
    final List<ValidatorUpdate> updates = new ArrayList<>();
    final ConsensusConfig cfg = ConsensusConfig.defaults(Duration.ofMillis(100));
    final PrivValidator signer;
    final List<WalRecord> log = new ArrayList<>();
    final byte[] self;
    ConsensusCore core;

    Harness(int me) {
      for (int i = 0; i < 4; i++) {
        byte[] seed = new byte[32];
        seed[0] = (byte) (40 + i);
        Ed25519KeyPair k = Ed25519KeyPair.fromSeed(seed);
        keys.add(k);
        updates.add(
            ValidatorUpdate.newBuilder()
                .setPubKey(ByteString.copyFrom(k.publicKey()))
                .setPower(10)
                .build());
      }
      signer = new PrivValidator(keys.get(me), null);
      self = keys.get(me).address().bytes();
      core = newCore(self);
    }

    ConsensusCore newCore(byte[] address) {
      ChainState genesis = ChainState.genesis(CHAIN, 1, T0, updates, new byte[32], 1);
      return new ConsensusCore(
          cfg,
          genesis,
          address,
          new BlockSource() {
            @Override
            public List<byte[]> proposalTxs(long h, long t, byte[] proposer, long max) {
              return List.of(proposer.clone());
            }

            @Override
            public boolean accept(Block block, byte[] hash) {
              return true;
            }
          },
          () -> T0 + 1000,
          new SignatureCache());
    }

    Ed25519KeyPair keyOf(byte[] address) {
      return keys.stream()
          .filter(k -> Arrays.equals(k.address().bytes(), address))
          .findFirst()
          .orElseThrow();
    }

    /** The proposal the proposer of {@code round} makes, signed by it. */
    ProposalMessage proposal(int round) throws Exception {
      byte[] proposer = core.proposerAddress(round);
      ConsensusCore other = newCore(proposer);
      ConsensusAction.SignProposal sp =
          other.start(round).stream()
              .filter(a -> a instanceof ConsensusAction.SignProposal)
              .map(a -> (ConsensusAction.SignProposal) a)
              .findFirst()
              .orElseThrow();
      PrivValidator pv = new PrivValidator(keyOf(proposer), null);
      return ProposalMessage.newBuilder()
          .setProposal(pv.signProposal(CHAIN, sp.proposal()))
          .setBlock(sp.block())
          .build();
    }

    Vote vote(int validator, SignedMsgType type, int round, BlockId id) {
      Ed25519KeyPair k = keys.get(validator);
      Vote.Builder v =
          Vote.newBuilder()
              .setType(type)
              .setHeight(1)
              .setRound(round)
              .setTimestamp(SignBytes.timestamp(T0 + 2000))
              .setValidatorAddress(ByteString.copyFrom(k.address().bytes()))
              .setValidatorIndex(core.chainState().validators().indexOf(k.address().bytes()));
      if (id != null) {
        v.setBlockId(id);
      }
      Vote unsigned = v.build();
      return unsigned.toBuilder()
          .setSignature(ByteString.copyFrom(k.sign(SignBytes.vote(CHAIN, unsigned))))
          .build();
    }

    /** Feeds an input like PeerzNode does: logged, handled, own signatures logged and fed back. */
    List<ConsensusAction> deliver(ConsensusEvent e) throws Exception {
      log.add(WalReplay.record(e, 1));
      return perform(core.handle(e));
    }

    List<ConsensusAction> perform(List<ConsensusAction> actions) throws Exception {
      List<ConsensusAction> all = new ArrayList<>(actions);
      for (ConsensusAction a : actions) {
        if (a instanceof ConsensusAction.SignVote sv) {
          Vote signed = signer.signVote(CHAIN, sv.vote());
          log.add(WalRecord.newBuilder().setVote(signed).build());
          all.addAll(perform(core.handle(new ConsensusEvent.VoteReceived(signed))));
        }
      }
      return all;
    }
  }

  @Test
  void replayingTheWalRestoresTheLockAndTheRestartedCoreKeepsIt() throws Exception {
    // Validator index 0 of the sorted set is whichever; pick a validator that is not round 0's
    // or round 1's proposer so that it never proposes itself.
    Harness h = null;
    for (int me = 0; me < 4; me++) {
      Harness c = new Harness(me);
      if (!Arrays.equals(c.core.proposerAddress(0), c.self)
          && !Arrays.equals(c.core.proposerAddress(1), c.self)) {
        h = c;
        break;
      }
    }
    assertThat(h).isNotNull();
    h.perform(h.core.start(0));
    ProposalMessage p0 = h.proposal(0);
    BlockId b0 = p0.getProposal().getBlockId();
    h.deliver(new ConsensusEvent.ProposalReceived(p0));
    int myIndex = h.core.chainState().validators().indexOf(h.self);
    for (int i = 0; i < 4; i++) {
      int validator = h.keys.indexOf(h.keyOf(h.core.chainState().validators().get(i).address));
      if (i != myIndex) {
        h.deliver(
            new ConsensusEvent.VoteReceived(
                h.vote(validator, SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, 0, b0)));
      }
    }
    assertThat(h.core.lockedRound()).isZero();
    // Round 0 fails (precommit timeout), so the core moves to round 1 still locked on b0.
    h.deliver(new ConsensusEvent.TimeoutElapsed(1, 0, ConsensusEvent.Step.PRECOMMIT_WAIT));
    assertThat(h.core.round()).isEqualTo(1);

    Path file = dir.resolve("cs.wal");
    try (ConsensusWal wal = ConsensusWal.open(file)) {
      h.log.forEach(wal::append);
    }
    List<WalRecord> recovered;
    try (ConsensusWal wal = ConsensusWal.open(file)) {
      recovered = wal.recovered();
    }
    ConsensusCore restarted = h.newCore(h.self);
    List<ConsensusAction> pending = WalReplay.replay(restarted, recovered, h.self, 0);
    assertThat(restarted.round()).isEqualTo(1);
    assertThat(restarted.lockedRound()).isZero();
    assertThat(restarted.lockedBlockId()).isEqualTo(b0);
    assertThat(restarted.validRound()).isZero();
    // The prevote and precommit of round 0 are in the log: nothing is asked to be signed again.
    assertThat(pending).noneMatch(a -> a instanceof ConsensusAction.SignVote);
    assertThat(pending).anyMatch(a -> a instanceof ConsensusAction.ScheduleTimeout);

    // The lock holds after the restart: round 1's proposer re-proposes b0 (its valid value is
    // unknown to it here, so it proposes a new block) and the restarted core prevotes nil.
    h.core = restarted;
    ProposalMessage p1 = h.proposal(1);
    assertThat(p1.getProposal().getBlockId()).isNotEqualTo(b0);
    List<ConsensusAction> after = restarted.handle(new ConsensusEvent.ProposalReceived(p1));
    assertThat(after)
        .filteredOn(a -> a instanceof ConsensusAction.SignVote)
        .singleElement()
        .satisfies(
            a -> {
              Vote v = ((ConsensusAction.SignVote) a).vote();
              assertThat(v.getRound()).isEqualTo(1);
              assertThat(SignBytes.isNil(v.getBlockId())).isTrue();
            });
  }

  @Test
  void withoutWalRecordsTheCoreStartsPastTheLastSignedRound() {
    Harness h = new Harness(0);
    List<ConsensusAction> actions = WalReplay.replay(h.core, List.of(), h.self, 3);
    assertThat(h.core.round()).isEqualTo(3);
    assertThat(actions).isNotEmpty();
  }
}
