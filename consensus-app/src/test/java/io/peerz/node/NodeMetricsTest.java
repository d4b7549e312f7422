package io.peerz.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.consensus.TestChains;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeMetricsTest {
  private static final Duration FAST = Duration.ofMillis(50);
  private static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * The names docs/metrics.md lists for the node, as the text format writes them: a counter's name
   * ends in {@code _total}.
   */
  static final List<String> NODE_METRICS =
      List.of(
          "cometbft_consensus_height",
          "cometbft_consensus_latest_block_height",
          "cometbft_consensus_rounds",
          "cometbft_consensus_validators",
          "cometbft_consensus_validators_power",
          "cometbft_consensus_validator_power",
          "cometbft_consensus_validator_last_signed_height",
          "cometbft_consensus_validator_missed_blocks",
          "cometbft_consensus_missing_validators",
          "cometbft_consensus_missing_validators_power",
          "cometbft_consensus_byzantine_validators",
          "cometbft_consensus_byzantine_validators_power",
          "cometbft_consensus_block_interval_seconds",
          "cometbft_consensus_num_txs",
          "cometbft_consensus_total_txs",
          "cometbft_consensus_block_size_bytes",
          "cometbft_consensus_chain_size_bytes_total",
          "cometbft_state_block_processing_time",
          "cometbft_state_validator_set_updates_total",
          "cometbft_mempool_size",
          "cometbft_mempool_size_bytes",
          "cometbft_mempool_failed_txs_total",
          "cometbft_mempool_rejected_txs_total",
          "cometbft_mempool_recheck_times_total",
          "cometbft_p2p_peers",
          "cometbft_blocksync_syncing",
          "cometbft_statesync_syncing",
          "peerz_jobs",
          "peerz_subnets",
          "peerz_nodes",
          "peerz_pools",
          "peerz_executors",
          "peerz_escrow_held",
          "peerz_slashes_total",
          "peerz_slashed_tokens_total",
          "peerz_job_verification_seconds");

  @TempDir Path home;
  private final Ed25519KeyPair validator = TestChains.key(1);

  @Test
  void aNodeWithMetricsServesCometBftsAndPeerzsMetricsWithSensibleValues() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    try (PeerzNode node = PeerzNode.start(TestNodes.peerzConfig(home, validator, FAST), registry)) {
      byte[] tx = TestChains.send(0, TestChains.key(7), 5);
      assertThat(node.backend().broadcastTx(tx).getCode()).isZero();
      long txHeight =
          node.backend()
              .awaitCommit(Transactions.hash(tx), WAIT)
              .get(30, TimeUnit.SECONDS)
              .height();
      // A replayed nonce: CheckTx refuses it, the mempool counts it as failed.
      assertThat(node.backend().broadcastTx(tx).getCode()).isNotZero();
      TestChains.await(
          "metrics of three blocks after the tx",
          () ->
              scrape(registry).value("cometbft_consensus_latest_block_height").orElse(0.0)
                  >= txHeight + 3,
          WAIT);

      // A scrape between two blocks: a block's metrics are set one after the other as it commits,
      // and a scrape is no snapshot across them (nor is one in CometBFT).
      Exposition[] between = new Exposition[1];
      TestChains.await(
          "a scrape between two blocks",
          () -> {
            Exposition e = scrape(registry);
            double h = e.value("cometbft_consensus_latest_block_height").orElse(0.0);
            between[0] = e;
            return e.value("cometbft_consensus_block_interval_seconds_count").orElse(-1.0) == h - 1
                && e.value("cometbft_state_block_processing_time_count").orElse(-1.0) == h
                && e.value("cometbft_consensus_height").orElse(-1.0) == h + 1;
          },
          WAIT);
      Exposition m = between[0];
      assertThat(m.types()).containsKeys(NODE_METRICS.toArray(String[]::new));
      for (Exposition.Sample s : m.samples()) {
        if (s.name().startsWith("cometbft_") || s.name().startsWith("peerz_")) {
          assertThat(s.labels()).as(s.name()).containsEntry("chain_id", TestChains.CHAIN_ID);
        }
      }
      double latest = m.value("cometbft_consensus_latest_block_height").orElseThrow();
      assertThat(m.value("cometbft_consensus_height")).contains(latest + 1);
      assertThat(m.value("cometbft_consensus_validators")).contains(1.0);
      assertThat(m.value("cometbft_consensus_validators_power")).contains(10.0);
      assertThat(m.value("cometbft_consensus_rounds")).contains(0.0);
      String self = Hex.encodeUpper(validator.address().bytes());
      assertThat(m.value("cometbft_consensus_validator_power", "validator_address", self))
          .contains(10.0);
      assertThat(
              m.value("cometbft_consensus_validator_last_signed_height", "validator_address", self))
          .hasValueSatisfying(h -> assertThat(h).isGreaterThanOrEqualTo(latest - 1));
      assertThat(m.value("cometbft_consensus_validator_missed_blocks", "validator_address", self))
          .contains(0.0);
      assertThat(m.value("cometbft_consensus_missing_validators")).contains(0.0);
      assertThat(m.value("cometbft_consensus_byzantine_validators")).contains(0.0);
      assertThat(m.value("cometbft_consensus_total_txs")).contains(1.0);
      assertThat(m.value("cometbft_consensus_num_txs")).contains(0.0);
      assertThat(m.value("cometbft_consensus_block_size_bytes"))
          .hasValueSatisfying(v -> assertThat(v).isPositive());
      assertThat(m.value("cometbft_consensus_chain_size_bytes_total"))
          .hasValueSatisfying(v -> assertThat(v).isGreaterThan(tx.length));
      // Every block after the first has an interval; blocks come at least timeout_commit apart.
      assertThat(m.value("cometbft_consensus_block_interval_seconds_count")).contains(latest - 1);
      assertThat(m.value("cometbft_consensus_block_interval_seconds_sum"))
          .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo((latest - 1) * 0.05));
      assertThat(m.value("cometbft_state_block_processing_time_count")).contains(latest);
      assertThat(m.value("cometbft_state_block_processing_time_bucket", "le", "+Inf"))
          .contains(latest);
      assertThat(m.value("cometbft_mempool_size")).contains(0.0);
      assertThat(m.value("cometbft_mempool_failed_txs_total")).contains(1.0);
      assertThat(m.value("cometbft_mempool_rejected_txs_total")).contains(0.0);
      assertThat(m.value("cometbft_p2p_peers")).contains(0.0);
      assertThat(m.value("cometbft_blocksync_syncing")).contains(0.0);
      assertThat(m.value("cometbft_statesync_syncing")).contains(0.0);

      for (String status : List.of("queued", "assigned", "verified", "paid", "refunded")) {
        assertThat(m.value("peerz_jobs", "status", status)).as(status).contains(0.0);
      }
      assertThat(m.value("peerz_subnets", "status", "active")).contains(0.0);
      assertThat(m.value("peerz_nodes", "class", "validator")).contains(0.0);
      assertThat(m.value("peerz_pools", "state", "open")).contains(0.0);
      assertThat(m.value("peerz_executors")).contains(0.0);
      assertThat(m.value("peerz_escrow_held")).contains(0.0);
      assertThat(m.value("peerz_job_verification_seconds_count")).contains(0.0);
      assertThat(m.value("peerz_slashes_total", "reason", "wrong_reveal")).contains(0.0);
      assertThat(m.value("peerz_slashed_tokens_total", "reason", "no_reveal")).contains(0.0);
    }
  }

  static Exposition scrape(PrometheusRegistry registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Exposition.parse(out.toString(StandardCharsets.UTF_8));
  }
}
