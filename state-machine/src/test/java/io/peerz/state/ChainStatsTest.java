package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ChainStatsTest {

  private final MarketFixture f = new MarketFixture();
  private final TestChain chain = f.chain;

  @Test
  void statsCountSubnetsNodesPoolsExecutorsJobsEscrowAndSlashesFromCommittedState() {
    JsonNode before = chain.query("/stats");
    assertThat(before.get("subnets").get("active").asLong()).isEqualTo(1);
    assertThat(before.get("subnets").get("registered").asLong()).isZero();
    long nodes = 0;
    for (JsonNode n : before.get("nodes")) {
      nodes += n.asLong();
    }
    assertThat(nodes).isEqualTo(3);
    assertThat(before.get("jobs").get("verified").asLong()).isZero();
    for (JsonNode reason : before.get("slashes")) {
      assertThat(reason.get("count").asLong()).isZero();
    }
    assertThat(before.get("slashes").has("double_sign")).isTrue();

    f.createPool();
    f.registerAndBenchmark(0);
    f.registerAndBenchmark(1);
    f.join(0, 1);
    f.join(1, 1);
    long job = f.submit(9);
    int first = f.assignee(job);
    long stake = f.node(first).getStake();
    f.work(first, job, 500_000); // a wrong reveal: slashed a tenth of the node's stake

    JsonNode s = chain.query("/stats");
    assertThat(s.get("height").asLong()).isEqualTo(chain.height);
    assertThat(s.get("pools").get("open").asLong()).isEqualTo(1);
    assertThat(s.get("pools").get("closed").asLong()).isZero();
    assertThat(s.get("executors").asLong()).isEqualTo(2);
    // Two verified benchmarks; the pool job went back to the queue and was reassigned.
    assertThat(s.get("jobs").get("verified").asLong()).isEqualTo(2);
    assertThat(s.get("jobs").get("assigned").asLong()).isEqualTo(1);
    assertThat(s.get("jobs").get("queued").asLong()).isZero();
    assertThat(s.get("next_job_id").asLong()).isEqualTo(job + 1);
    assertThat(s.get("escrow").asLong())
        .isEqualTo(Store.readOnly(chain.state).escrow())
        .isPositive();
    JsonNode wrong = s.get("slashes").get("wrong_reveal");
    assertThat(wrong.get("count").asLong()).isEqualTo(1);
    assertThat(wrong.get("amount").asLong()).isEqualTo(stake / 10);
    // Answered from a scan, not one stored value: no proof.
    assertThat(chain.rawQuery("/stats").provable()).isFalse();
  }
}
