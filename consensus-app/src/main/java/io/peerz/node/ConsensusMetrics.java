package io.peerz.node;

import io.peerz.consensus.Application;
import io.peerz.consensus.EventBus;
import io.peerz.consensus.ValidatorHistory;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockIdFlag;
import io.peerz.ledger.proto.CommitSig;
import io.peerz.ledger.proto.Validator;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.Arrays;
import java.util.List;

/**
 * CometBFT's consensus and state metrics (consensus/metrics.go, state/metrics.go of v0.38: the same
 * names, types, help and buckets), set from each committed block as CometBFT's recordMetrics sets
 * them. Runs on the metrics thread; reads the block store and the validator history, writes nothing
 * but metrics.
 */
final class ConsensusMetrics {
  private final BlockStore blocks;
  private final ValidatorHistory history;
  private final byte[] ownAddress;
  private final String ownAddressHex;
  private final long initialHeight;
  private final Gauge height;
  private final Gauge latestBlockHeight;
  private final Gauge rounds;
  private final Gauge validators;
  private final Gauge validatorsPower;
  private final Gauge validatorPower;
  private final Gauge validatorLastSignedHeight;
  private final Gauge validatorMissedBlocks;
  private final Gauge missingValidators;
  private final Gauge missingValidatorsPower;
  private final Gauge byzantineValidators;
  private final Gauge byzantineValidatorsPower;
  private final Histogram blockIntervalSeconds;
  private final Gauge numTxs;
  private final Gauge blockSizeBytes;
  private final Counter chainSizeBytes;
  private final Gauge totalTxs;
  private final Histogram blockProcessingTime;
  private final Counter validatorSetUpdates;
  private long previousHeight = -1;
  private long previousTimeMillis;

  /**
   * Registers the metrics in {@code registry} with {@code labels} ({@code chain_id}); {@code
   * ownAddress} is this node's validator address, whose power and signatures get metrics of their
   * own.
   */
  ConsensusMetrics(
      PrometheusRegistry registry,
      Labels labels,
      BlockStore blocks,
      ValidatorHistory history,
      byte[] ownAddress,
      long initialHeight) {
    this.blocks = blocks;
    this.history = history;
    this.ownAddress = ownAddress.clone();
    this.ownAddressHex = Hex.encodeUpper(ownAddress);
    this.initialHeight = initialHeight;
    String c = "cometbft_consensus_";
    height = gauge(registry, labels, c + "height", "Height of the chain.");
    latestBlockHeight =
        gauge(registry, labels, c + "latest_block_height", "The latest block height.");
    rounds = gauge(registry, labels, c + "rounds", "Number of rounds.");
    validators = gauge(registry, labels, c + "validators", "Number of validators.");
    validatorsPower =
        gauge(registry, labels, c + "validators_power", "Total power of all validators.");
    validatorPower =
        Gauge.builder()
            .name(c + "validator_power")
            .help("Power of a validator.")
            .constLabels(labels)
            .labelNames("validator_address")
            .register(registry);
    validatorLastSignedHeight =
        Gauge.builder()
            .name(c + "validator_last_signed_height")
            .help("Last height signed by this validator if the node is a validator.")
            .constLabels(labels)
            .labelNames("validator_address")
            .register(registry);
    validatorMissedBlocks =
        Gauge.builder()
            .name(c + "validator_missed_blocks")
            .help("Amount of blocks missed per validator.")
            .constLabels(labels)
            .labelNames("validator_address")
            .register(registry);
    missingValidators =
        gauge(registry, labels, c + "missing_validators", "Number of validators who did not sign.");
    missingValidatorsPower =
        gauge(
            registry,
            labels,
            c + "missing_validators_power",
            "Total power of the missing validators.");
    byzantineValidators =
        gauge(
            registry,
            labels,
            c + "byzantine_validators",
            "Number of validators who tried to double sign.");
    byzantineValidatorsPower =
        gauge(
            registry,
            labels,
            c + "byzantine_validators_power",
            "Total power of the byzantine validators.");
    blockIntervalSeconds =
        Histogram.builder()
            .name(c + "block_interval_seconds")
            .help("Time between this and the last block.")
            .constLabels(labels)
            .classicOnly()
            .classicUpperBounds(Histogram.Builder.DEFAULT_CLASSIC_UPPER_BOUNDS)
            .register(registry);
    numTxs = gauge(registry, labels, c + "num_txs", "Number of transactions.");
    blockSizeBytes = gauge(registry, labels, c + "block_size_bytes", "Size of the block.");
    chainSizeBytes =
        Counter.builder()
            .name(c + "chain_size_bytes")
            .help("Size of the chain in bytes.")
            .constLabels(labels)
            .register(registry);
    totalTxs = gauge(registry, labels, c + "total_txs", "Total number of transactions.");
    blockProcessingTime =
        Histogram.builder()
            .name("cometbft_state_block_processing_time")
            .help("Time spent processing FinalizeBlock")
            .constLabels(labels)
            .classicOnly()
            // CometBFT's LinearBuckets(1, 10, 10), in milliseconds.
            .classicLinearUpperBounds(1, 10, 10)
            .register(registry);
    validatorSetUpdates =
        Counter.builder()
            .name("cometbft_state_validator_set_updates")
            .help(
                "Number of validator set updates returned by the application since process"
                    + " start.")
            .constLabels(labels)
            .register(registry);
  }

  private static Gauge gauge(PrometheusRegistry registry, Labels labels, String name, String help) {
    return Gauge.builder().name(name).help(help).constLabels(labels).register(registry);
  }

  /** Sets the metrics from a committed block. */
  void committed(EventBus.BlockCommitted e) {
    Block block = e.block();
    long h = e.height();
    long timeMillis = Blocks.millis(block.getHeader().getTime());
    height.set(h + 1);
    latestBlockHeight.set(h);
    rounds.set(e.commit().getRound());

    List<Validator> next = history.at(h + 1);
    List<Validator> set = next != null ? next : history.at(h);
    if (set != null) {
      validators.set(set.size());
      validatorsPower.set(set.stream().mapToLong(Validator::getVotingPower).sum());
    }
    signatures(block, h);

    long byzantine = 0;
    long byzantinePower = 0;
    for (Application.Misbehavior m : e.misbehavior()) {
      byzantine++;
      byzantinePower += m.validatorPower();
    }
    byzantineValidators.set(byzantine);
    byzantineValidatorsPower.set(byzantinePower);

    long previous = previousTime(h);
    if (previous > 0) {
      blockIntervalSeconds.observe((timeMillis - previous) / 1000.0);
    }
    previousHeight = h;
    previousTimeMillis = timeMillis;

    long size = block.getSerializedSize();
    numTxs.set(block.getTxsCount());
    totalTxs.inc(block.getTxsCount());
    blockSizeBytes.set(size);
    chainSizeBytes.inc(size);
    blockProcessingTime.observe(e.finalizeTime().toNanos() / 1e6);
    if (!e.result().validatorUpdates().isEmpty()) {
      validatorSetUpdates.inc();
    }
  }

  /**
   * Who did not sign the previous block (the block's last commit, against the set that signed it),
   * and this node's power and last signed height when it is in that set.
   */
  private void signatures(Block block, long h) {
    long missing = 0;
    long missingPower = 0;
    List<Validator> signers = h > initialHeight ? history.at(h - 1) : null;
    List<CommitSig> sigs = block.getLastCommit().getSignaturesList();
    if (signers != null && signers.size() == sigs.size()) {
      for (int i = 0; i < signers.size(); i++) {
        Validator v = signers.get(i);
        boolean absent = sigs.get(i).getBlockIdFlag() == BlockIdFlag.BLOCK_ID_FLAG_ABSENT;
        if (absent) {
          missing++;
          missingPower += v.getVotingPower();
        }
        if (Arrays.equals(v.getAddress().toByteArray(), ownAddress)) {
          validatorPower.labelValues(ownAddressHex).set(v.getVotingPower());
          // Served from the first signed block on, at 0 until one is missed.
          validatorMissedBlocks.labelValues(ownAddressHex);
          if (sigs.get(i).getBlockIdFlag() == BlockIdFlag.BLOCK_ID_FLAG_COMMIT) {
            validatorLastSignedHeight.labelValues(ownAddressHex).set(h);
          } else {
            validatorMissedBlocks.labelValues(ownAddressHex).inc();
          }
        }
      }
    }
    missingValidators.set(missing);
    missingValidatorsPower.set(missingPower);
  }

  /** The previous block's time in milliseconds, or 0 when there is none. */
  private long previousTime(long h) {
    if (previousHeight == h - 1) {
      return previousTimeMillis;
    }
    if (h <= 1) {
      return 0;
    }
    return blocks.block(h - 1).map(b -> Blocks.millis(b.getHeader().getTime())).orElse(0L);
  }
}
