package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
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
              n.core.height(),
              n.core.round(),
              n.core.step(),
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
  void theSimulationDetectsASafetyViolation() {
    // Two halves that never hear each other, each with one extra twin key signing both sides:
    // with 5 nodes for 4 keys and a fake "honest" twin, the check must notice a fork if one forms;
    // here we force one by letting two twin groups decide on their own.
    SimNetwork net = new SimNetwork(5, 4, null, 1);
    for (SimNetwork.Node n : net.nodes) {
      n.kind = SimNetwork.Kind.HONEST;
    }
    net.gossipMillis = 500;
    // Twins are node 3 and node 4 (same key): sides {0,1,3} and {2,4} each hold 3/4... only the
    // first side has +2/3; give the second side the same power by isolating differently is not
    // possible with 4 keys, so instead feed one node a block decided elsewhere and see the check.
    net.start();
    net.runUntil(() -> net.honestDecided(2), 60_000);
    assertThat(net.safetyViolation()).isNull();
    SimNetwork.Node n = net.nodes.get(0);
    n.appHashes.set(0, new byte[32]);
    assertThat(net.safetyViolation()).contains("app hash at height 1");
  }
}
