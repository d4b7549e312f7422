package io.peerz.node;

import io.peerz.consensus.Application;
import io.peerz.consensus.EventBus;
import io.peerz.consensus.Mempool;
import io.peerz.consensus.ValidatorHistory;
import io.peerz.ledger.BlockStore;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's Prometheus metrics (CometBFT's {@code [instrumentation]}): CometBFT's consensus,
 * state, mempool, p2p and sync metrics under their names, and peerz's market metrics. Observes
 * only: committed blocks arrive on the event bus and are handled on a thread of its own; the
 * mempool, p2p and sync are read when Prometheus scrapes. Every metric carries CometBFT's {@code
 * chain_id} label.
 */
final class NodeMetrics implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);

  /** What the metrics read; each is only read. */
  record Sources(
      String chainId,
      long initialHeight,
      byte[] validatorAddress,
      EventBus events,
      BlockStore blocks,
      ValidatorHistory history,
      Application app,
      Mempool mempool,
      IntSupplier peers,
      BooleanSupplier blockSyncing,
      BooleanSupplier stateSyncing) {}

  private final ExecutorService thread;
  private final AutoCloseable subscription;

  private NodeMetrics(ExecutorService thread, AutoCloseable subscription) {
    this.thread = thread;
    this.subscription = subscription;
  }

  /** Registers every metric in {@code registry} and starts observing committed blocks. */
  static NodeMetrics register(PrometheusRegistry registry, Sources s) {
    Labels labels = Labels.of("chain_id", s.chainId());
    ConsensusMetrics consensus =
        new ConsensusMetrics(
            registry, labels, s.blocks(), s.history(), s.validatorAddress(), s.initialHeight());
    MarketMetrics market = new MarketMetrics(registry, labels, s.app(), s.blocks());

    Mempool mempool = s.mempool();
    gauge(
        registry,
        labels,
        "cometbft_mempool_size",
        "Number of uncommitted transactions in the mempool.",
        () -> mempool.size());
    gauge(
        registry,
        labels,
        "cometbft_mempool_size_bytes",
        "Total size of the mempool in bytes.",
        mempool::totalBytes);
    counter(
        registry,
        labels,
        "cometbft_mempool_failed_txs",
        "Number of failed transactions: CheckTx found them invalid.",
        mempool,
        Mempool.Counts::failed);
    counter(
        registry,
        labels,
        "cometbft_mempool_rejected_txs",
        "Number of rejected transactions: the mempool was full.",
        mempool,
        Mempool.Counts::rejected);
    counter(
        registry,
        labels,
        "cometbft_mempool_recheck_times",
        "Number of times transactions are rechecked in the mempool.",
        mempool,
        Mempool.Counts::rechecks);
    gauge(registry, labels, "cometbft_p2p_peers", "Number of peers.", () -> s.peers().getAsInt());
    gauge(
        registry,
        labels,
        "cometbft_blocksync_syncing",
        "Whether or not a node is block syncing. 1 if yes, 0 if no.",
        () -> s.blockSyncing().getAsBoolean() ? 1 : 0);
    gauge(
        registry,
        labels,
        "cometbft_statesync_syncing",
        "Whether or not a node is state syncing. 1 if yes, 0 if no.",
        () -> s.stateSyncing().getAsBoolean() ? 1 : 0);

    ExecutorService thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "peerz-metrics");
              t.setDaemon(true);
              return t;
            });
    AutoCloseable subscription =
        s.events()
            .subscribe(
                e -> {
                  try {
                    // The bus calls on the consensus thread: hand over, never block it.
                    thread.execute(() -> observe(consensus, market, e));
                  } catch (RejectedExecutionException closed) {
                    // Closing: the last blocks go unobserved.
                  }
                });
    return new NodeMetrics(thread, subscription);
  }

  private static void observe(
      ConsensusMetrics consensus, MarketMetrics market, EventBus.BlockCommitted e) {
    try {
      consensus.committed(e);
      market.committed(e);
    } catch (RuntimeException ex) {
      log.warn("metrics of a block failed height={} error={}", e.height(), ex.toString());
    }
  }

  private static void gauge(
      PrometheusRegistry registry, Labels labels, String name, String help, LongSupplier value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .constLabels(labels)
        .callback(cb -> cb.call(value.getAsLong()))
        .register(registry);
  }

  private static void counter(
      PrometheusRegistry registry,
      Labels labels,
      String name,
      String help,
      Mempool mempool,
      ToLongFunction<Mempool.Counts> count) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .constLabels(labels)
        .callback(cb -> cb.call(count.applyAsLong(mempool.counts())))
        .register(registry);
  }

  @Override
  public void close() {
    try {
      subscription.close();
    } catch (Exception e) {
      log.warn("metrics unsubscribe failed error={}", e.toString());
    }
    thread.shutdownNow();
  }
}
