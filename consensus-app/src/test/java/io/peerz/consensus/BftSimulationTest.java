package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.peerz.ledger.proto.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The seeded deterministic simulation of a 4-validator network under faults (TigerBeetle /
 * FoundationDB style): every seed picks a fault schedule and at most one byzantine validator (1/4
 * of the power), runs real consensus cores through it, and checks safety throughout and liveness
 * after healing.
 *
 * <p>Fault model per seed: 10–30% of messages dropped, 0–20% duplicated, delays of 1 ms up to
 * 20–400 ms (which reorders them); half the seeds partition the nodes into two random sides for 1–3
 * s; half crash one honest node for 0.5–3 s (it loses the WAL records it had not synced and
 * restarts from its stored state and WAL); a quarter each run an equivocating, a silent or a
 * twinned validator, the rest are all honest. Faults last 8 s of virtual time; then partitions end
 * and crashed nodes restart, drops go on, and every honest node must decide two more heights within
 * 30 s of virtual time.
 *
 * <p>{@code -Dpeerz.sim.seeds=N} runs seeds 1..N (default 1000); {@code -Dpeerz.sim.seed=N} replays
 * one seed.
 */
class BftSimulationTest {

  static final long FAULT_MILLIS = 8_000;
  static final long LIVENESS_MILLIS = 30_000;

  private Level saved;

  @BeforeEach
  void quiet() {
    // Equivocations and refused blocks are logged at WARN by design; thousands of runs would flood.
    ch.qos.logback.classic.Logger l =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.peerz.consensus");
    saved = l.getLevel();
    l.setLevel(Level.ERROR);
  }

  @AfterEach
  void restore() {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.peerz.consensus")).setLevel(saved);
  }

  static String replay(long seed) {
    return "seed="
        + seed
        + " replay: mvn -B -o -pl consensus-app test -Dtest=BftSimulationTest -Dpeerz.sim.seed="
        + seed;
  }

  /** A timed change of the network: partition, heal, crash or restart. */
  private record Fault(long at, Runnable change) {}

  /** Runs one seed; null when safety and liveness held, otherwise what failed. */
  static String run(long seed) {
    Random r = new Random(seed * 0x9E3779B97F4A7C15L);
    SimNetwork.Kind byz =
        switch (r.nextInt(4)) {
          case 0 -> SimNetwork.Kind.EQUIVOCATOR;
          case 1 -> SimNetwork.Kind.SILENT;
          case 2 -> SimNetwork.Kind.TWIN;
          default -> SimNetwork.Kind.HONEST;
        };
    SimNetwork net = new SimNetwork(seed, 4, null, byz == SimNetwork.Kind.TWIN ? 1 : 0);
    net.gossipMillis = 500;
    net.dropPercent = 10 + r.nextInt(21);
    net.duplicatePercent = r.nextInt(21);
    net.maxDelayMillis = 20 + r.nextInt(381);
    int bad = r.nextInt(4);
    if (byz == SimNetwork.Kind.EQUIVOCATOR || byz == SimNetwork.Kind.SILENT) {
      net.nodes.get(bad).kind = byz;
    }
    List<Fault> faults = new ArrayList<>();
    if (r.nextBoolean()) {
      long t = r.nextInt((int) FAULT_MILLIS / 2);
      int[] side = new int[net.nodes.size()];
      for (int i = 0; i < side.length; i++) {
        side[i] = r.nextInt(2);
      }
      faults.add(new Fault(t, () -> net.side = side));
      faults.add(new Fault(t + 1000 + r.nextInt(2000), () -> net.side = null));
    }
    if (r.nextBoolean()) {
      List<SimNetwork.Node> honest = net.nodes.stream().filter(SimNetwork.Node::honest).toList();
      SimNetwork.Node victim = honest.get(r.nextInt(honest.size()));
      long t = r.nextInt((int) FAULT_MILLIS);
      faults.add(new Fault(t, victim::crash));
      faults.add(new Fault(Math.min(FAULT_MILLIS, t + 500 + r.nextInt(2500)), victim::restart));
    }
    faults.sort((a, b) -> Long.compare(a.at(), b.at()));
    String what =
        "byzantine="
            + byz
            + " drop="
            + net.dropPercent
            + "% dup="
            + net.duplicatePercent
            + "% max_delay="
            + net.maxDelayMillis
            + "ms faults="
            + faults.size() / 2;
    try {
      net.start();
      for (Fault f : faults) {
        net.runTo(f.at());
        String v = net.safetyViolation();
        if (v != null) {
          return v + " at " + net.now + "ms " + what;
        }
        f.change().run();
      }
      net.runTo(FAULT_MILLIS);
      net.side = null;
      for (SimNetwork.Node n : net.nodes) {
        if (n.down) {
          n.restart();
        }
      }
      long healedAt = 0;
      for (SimNetwork.Node n : net.nodes) {
        if (n.honest()) {
          healedAt = Math.max(healedAt, n.decided.size());
        }
      }
      long target = healedAt + 2;
      boolean live = net.runUntil(() -> net.honestDecided(target), FAULT_MILLIS + LIVENESS_MILLIS);
      String v = net.safetyViolation();
      if (v != null) {
        return v + " " + what;
      }
      for (SimNetwork.Node n : net.nodes) {
        if (n.honest() && n.refusals() > 0) {
          // After a crash the WAL replay must not ask for a signature the guard refuses.
          return "honest node "
              + n.id
              + " had "
              + n.refusals()
              + " double-sign refusals ("
              + n.lastRefusal()
              + ") "
              + what;
        }
      }
      if (!live) {
        return "no liveness: honest nodes did not all reach height "
            + target
            + " within "
            + LIVENESS_MILLIS
            + "ms after healing "
            + what
            + " nodes="
            + describe(net);
      }
      return null;
    } catch (RuntimeException | AssertionError e) {
      return "exception " + e + " at " + net.now + "ms " + what;
    }
  }

  private static String describe(SimNetwork net) {
    StringBuilder b = new StringBuilder();
    for (SimNetwork.Node n : net.nodes) {
      b.append(
          String.format(
              "[%d %s h=%d r=%d %s decided=%d restarts=%d] ",
              n.id,
              n.kind,
              n.height(),
              n.core() == null ? -1 : n.core().round(),
              n.core() == null ? null : n.core().step(),
              n.decided.size(),
              n.restarts));
    }
    return b.toString();
  }

  @Test
  void honestNodesAgreeAndTheChainAdvancesAfterHealingUnderEverySeed() {
    Long one = Long.getLong("peerz.sim.seed");
    long from = one != null ? one : 1;
    long to = one != null ? one : Long.getLong("peerz.sim.seeds", 1000);
    List<String> failures = new ArrayList<>();
    for (long seed = from; seed <= to; seed++) {
      String f = run(seed);
      if (f != null) {
        failures.add(replay(seed) + " : " + f);
        if (failures.size() >= 10) {
          break;
        }
      }
    }
    assertThat(failures).as("simulation failures (each line replays)").isEmpty();
  }

  @Test
  void aSeedReplaysExactly() {
    SimNetwork a = new SimNetwork(77, 4, null, 0);
    SimNetwork b = new SimNetwork(77, 4, null, 0);
    for (SimNetwork net : List.of(a, b)) {
      net.gossipMillis = 500;
      net.dropPercent = 25;
      net.duplicatePercent = 10;
      net.maxDelayMillis = 300;
      net.start();
      net.runTo(10_000);
    }
    assertThat(a.nodes.get(0).decided).isNotEmpty().isEqualTo(b.nodes.get(0).decided);
    assertThat(a.now).isEqualTo(b.now);
  }

  @Test
  void theSafetyCheckReportsDivergingAppHashes() {
    SimNetwork net = new SimNetwork(5, 4, null, 0);
    net.gossipMillis = 500;
    net.start();
    assertThat(net.runUntil(() -> net.honestDecided(2), 60_000)).isTrue();
    assertThat(net.safetyViolation()).isNull();
    net.nodes.get(0).appHashes.set(0, new byte[32]);
    assertThat(net.safetyViolation()).contains("app hash at height 1");
  }

  @Test
  void aCrashedValidatorRestartsFromItsWalWithoutRefusalsAndRejoins() {
    int replayedMidHeight = 0;
    for (long seed = 1; seed <= 20; seed++) {
      SimNetwork net = new SimNetwork(seed, 4, null, 0);
      net.gossipMillis = 500;
      net.dropPercent = 20;
      net.maxDelayMillis = 200;
      net.start();
      SimNetwork.Node victim = net.nodes.get((int) (seed % 4));
      net.runTo(1_500 + seed * 137);
      victim.crash();
      if (victim.walSynced() > 0) {
        replayedMidHeight++;
      }
      net.runTo(4_000 + seed * 137);
      long before = victim.decided.size();
      victim.restart();
      long target = before + 3;
      assertThat(net.runUntil(() -> net.honestDecided(target), 60_000)).as(replay(seed)).isTrue();
      assertThat(net.safetyViolation()).as(replay(seed)).isNull();
      assertThat(victim.refusals()).as(replay(seed)).isZero();
    }
    assertThat(replayedMidHeight).as("crashes that left WAL records to replay").isPositive();
  }

  @Test
  void validatorUpdatesApplyTwoHeightsLaterAndACatchingUpNodeDerivesTheSameSets() {
    SimNetwork net = new SimNetwork(9, 4, null, 0);
    net.gossipMillis = 500;
    net.dropPercent = 10;
    // At height 2 the application doubles validator 0's power: the set of height 4 has it.
    com.google.protobuf.ByteString pub =
        com.google.protobuf.ByteString.copyFrom(net.nodes.get(0).key.publicKey());
    net.validatorUpdates =
        h ->
            h == 2
                ? List.of(
                    io.peerz.ledger.proto.ValidatorUpdate.newBuilder()
                        .setPubKey(pub)
                        .setPower(20)
                        .build())
                : List.of();
    SimNetwork.Node late = net.nodes.get(3);
    late.crash();
    net.start();
    assertThat(net.runUntil(() -> net.nodes.get(0).decided.size() >= 6, 120_000)).isTrue();
    late.restart();
    assertThat(net.runUntil(() -> net.honestDecided(8), 120_000)).isTrue();
    assertThat(net.safetyViolation()).isNull();
    for (int h = 1; h <= 8; h++) {
      for (SimNetwork.Node n : net.nodes) {
        Block b = n.decided.get(h - 1);
        assertThat(b.getHeader().getValidatorsHash())
            .as("height %d node %d", h, n.id)
            .isEqualTo(net.nodes.get(0).decided.get(h - 1).getHeader().getValidatorsHash());
      }
    }
    assertThat(late.core().chainState().validators().totalPower()).isEqualTo(50);
    assertThat(net.nodes.get(1).decided.get(2).getHeader().getValidatorsHash())
        .isNotEqualTo(net.nodes.get(1).decided.get(3).getHeader().getValidatorsHash());
  }

  @Test
  void anEquivocatorsDoubleVotesAreCommittedAsEvidenceAndPassedToFinalizeBlock() {
    SimNetwork net = new SimNetwork(3, 4, null, 0);
    net.gossipMillis = 500;
    SimNetwork.Node bad = net.nodes.get(2);
    bad.kind = SimNetwork.Kind.EQUIVOCATOR;
    net.start();
    assertThat(net.runUntil(() -> net.honestDecided(6), 120_000)).isTrue();
    assertThat(net.safetyViolation()).isNull();
    List<io.peerz.consensus.proto.DuplicateVoteEvidence> committed = new ArrayList<>();
    for (Block b : net.nodes.get(0).decided) {
      committed.addAll(Evidence.of(b));
      assertThat(b.getHeader().getEvidenceHash().toByteArray())
          .isEqualTo(BlockHashes.evidence(Evidence.of(b)));
    }
    assertThat(committed).isNotEmpty();
    for (io.peerz.consensus.proto.DuplicateVoteEvidence e : committed) {
      assertThat(e.getVoteA().getValidatorAddress().toByteArray())
          .isEqualTo(bad.key.address().bytes());
      assertThat(e.getVoteA().getBlockId()).isNotEqualTo(e.getVoteB().getBlockId());
    }
    Block withEvidence =
        net.nodes.get(0).decided.stream()
            .filter(b -> !Evidence.of(b).isEmpty())
            .findFirst()
            .orElseThrow();
    assertThat(Evidence.misbehavior(withEvidence))
        .allSatisfy(
            m -> {
              assertThat(m.validatorAddress()).isEqualTo(bad.key.address().bytes());
              assertThat(m.totalVotingPower()).isEqualTo(40);
            });
    // Each offence is committed once.
    assertThat(committed.stream().map(Evidence::offence).distinct().count())
        .isEqualTo(committed.size());
  }

  @Test
  void evidenceWithATamperedSignatureIsRejected() {
    SimNetwork net = new SimNetwork(3, 4, null, 0);
    net.gossipMillis = 500;
    net.nodes.get(2).kind = SimNetwork.Kind.EQUIVOCATOR;
    net.start();
    assertThat(net.runUntil(() -> net.honestDecided(6), 120_000)).isTrue();
    io.peerz.consensus.proto.DuplicateVoteEvidence e =
        net.nodes.get(0).decided.stream()
            .flatMap(b -> Evidence.of(b).stream())
            .findFirst()
            .orElseThrow();
    ValidatorSet vals = net.nodes.get(0).core().chainState().validators();
    assertThat(Evidence.invalidReason(e, SimNetwork.CHAIN_ID, vals, new SignatureCache())).isNull();
    byte[] sig = e.getVoteB().getSignature().toByteArray();
    sig[0] ^= 1;
    io.peerz.consensus.proto.DuplicateVoteEvidence forged =
        e.toBuilder()
            .setVoteB(
                e.getVoteB().toBuilder().setSignature(com.google.protobuf.ByteString.copyFrom(sig)))
            .build();
    assertThat(Evidence.invalidReason(forged, SimNetwork.CHAIN_ID, vals, new SignatureCache()))
        .isEqualTo("evidence_signature");
    assertThat(Evidence.invalidReason(e, "another-chain", vals, new SignatureCache()))
        .isEqualTo("evidence_signature");
  }
}
