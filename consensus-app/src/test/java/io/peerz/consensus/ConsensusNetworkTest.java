package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockIdFlag;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsensusNetworkTest {

  @TempDir Path dir;

  private static void assertAgreement(SimNetwork net, int heights) {
    SimNetwork.Node first = net.nodes.stream().filter(n -> !n.down).findFirst().orElseThrow();
    for (SimNetwork.Node n : net.nodes) {
      if (n.down) {
        continue;
      }
      for (int h = 0; h < heights; h++) {
        assertThat(Hex.encode(ChainState.blockId(n.decided.get(h)).getHash().toByteArray()))
            .as("seed=%d node=%d height=%d", net.seed, n.id, h + 1)
            .isEqualTo(
                Hex.encode(ChainState.blockId(first.decided.get(h)).getHash().toByteArray()));
      }
    }
  }

  @Test
  void fourValidatorsDecideTheSameBlocks() {
    for (long seed = 1; seed <= 5; seed++) {
      SimNetwork net = new SimNetwork(seed, 4, dir.resolve("s" + seed));
      net.start();
      assertThat(net.runUntil(() -> net.allDecided(10), 600_000)).as("seed=%d", seed).isTrue();
      assertAgreement(net, 10);
      assertThat(net.refusals()).as("seed=%d", seed).isZero();
    }
  }

  @Test
  void proposersRotateAcrossHeights() {
    SimNetwork net = new SimNetwork(7, 4, dir);
    net.start();
    assertThat(net.runUntil(() -> net.allDecided(8), 600_000)).isTrue();
    Set<String> proposers = new HashSet<>();
    for (Block b : net.nodes.get(0).decided) {
      proposers.add(Hex.encode(b.getHeader().getProposerAddress().toByteArray()));
    }
    assertThat(proposers).hasSize(4);
  }

  @Test
  void eachBlockCarriesThePreviousBlocksCommitWithTwoThirdsOfTheSignatures() {
    SimNetwork net = new SimNetwork(11, 4, dir);
    net.start();
    assertThat(net.runUntil(() -> net.allDecided(6), 600_000)).isTrue();
    List<Block> chain = net.nodes.get(0).decided;
    assertThat(chain.get(0).getLastCommit().getSignaturesCount()).isZero();
    for (int i = 1; i < chain.size(); i++) {
      Block b = chain.get(i);
      assertThat(b.getHeader().getLastBlockId()).isEqualTo(ChainState.blockId(chain.get(i - 1)));
      assertThat(b.getLastCommit().getBlockId()).isEqualTo(ChainState.blockId(chain.get(i - 1)));
      long commits =
          b.getLastCommit().getSignaturesList().stream()
              .filter(s -> s.getBlockIdFlag() == BlockIdFlag.BLOCK_ID_FLAG_COMMIT)
              .count();
      assertThat(commits).isGreaterThanOrEqualTo(3);
      assertThat(
              b.getHeader().getTime().getSeconds() * 1000
                  + b.getHeader().getTime().getNanos() / 1_000_000)
          .isGreaterThan(
              chain.get(i - 1).getHeader().getTime().getSeconds() * 1000
                  + chain.get(i - 1).getHeader().getTime().getNanos() / 1_000_000);
    }
  }

  @Test
  void threeOfFourValidatorsStillDecideWhenOneIsDown() {
    for (long seed = 20; seed <= 22; seed++) {
      SimNetwork net = new SimNetwork(seed, 4, dir.resolve("s" + seed));
      net.nodes.get(1).down = true;
      net.start();
      assertThat(net.runUntil(() -> net.allDecided(6), 600_000)).as("seed=%d", seed).isTrue();
      assertAgreement(net, 6);
    }
  }

  @Test
  void twoOfFourValidatorsCannotDecideAlone() {
    SimNetwork net = new SimNetwork(30, 4, dir);
    net.nodes.get(2).down = true;
    net.nodes.get(3).down = true;
    net.start();
    assertThat(net.runUntil(() -> net.allDecided(1), 120_000)).isFalse();
    assertThat(net.nodes.get(0).decided).isEmpty();
    assertThat(net.nodes.get(1).decided).isEmpty();
  }

  @Test
  void slowReorderingNetworkStillAgreesAcrossRoundChanges() {
    int laterRounds = 0;
    for (long seed = 40; seed <= 42; seed++) {
      SimNetwork net = new SimNetwork(seed, 4, dir.resolve("s" + seed));
      // Delays beyond the propose timeout force failed rounds, locks and re-proposals.
      net.maxDelayMillis = 3000;
      net.start();
      assertThat(net.runUntil(() -> net.allDecided(5), 3_600_000)).as("seed=%d", seed).isTrue();
      assertAgreement(net, 5);
      if (net.nodes.get(0).commits.stream().anyMatch(c -> c.getRound() > 0)) {
        laterRounds++;
      }
    }
    assertThat(laterRounds).as("some height needed more than one round").isPositive();
  }

  @Test
  void blocksTheApplicationRejectsAreNeverDecided() {
    SimNetwork net = new SimNetwork(50, 4, dir);
    byte[] bad = net.nodes.get(2).key.address().bytes();
    net.rejects =
        b -> java.util.Arrays.equals(b.getHeader().getProposerAddress().toByteArray(), bad);
    net.start();
    assertThat(net.runUntil(() -> net.allDecided(8), 3_600_000)).isTrue();
    assertAgreement(net, 8);
    for (SimNetwork.Node n : net.nodes) {
      for (Block b : n.decided) {
        assertThat(b.getHeader().getProposerAddress().toByteArray()).isNotEqualTo(bad);
      }
    }
    assertThat(net.nodes.get(0).commits.stream().anyMatch(c -> c.getRound() > 0)).isTrue();
  }
}
