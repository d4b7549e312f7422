package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeOptionTest {
  @Test
  void peerzNodePointsACommandAtANodeAndTheFlagWins() throws Exception {
    try (FakeNode node = new FakeNode()) {
      CliRun fromEnv = CliRun.run(Map.of("PEERZ_NODE", node.url()), "query", "status");
      assertThat(fromEnv.exitCode()).as(fromEnv.err()).isZero();
      assertThat(fromEnv.out()).contains("peerz-test");

      CliRun flag =
          CliRun.run(
              Map.of("PEERZ_NODE", "http://127.0.0.1:1"), "query", "status", "--node", node.url());
      assertThat(flag.exitCode()).as(flag.err()).isZero();
      assertThat(flag.out()).contains("peerz-test");

      CliRun wrong = CliRun.run(Map.of("PEERZ_NODE", "http://127.0.0.1:1"), "query", "status");
      assertThat(wrong.exitCode()).isNotZero();
      assertThat(wrong.err()).contains("127.0.0.1:1");
    }
  }
}
