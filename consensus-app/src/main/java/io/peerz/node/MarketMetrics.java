package io.peerz.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.peerz.consensus.Application;
import io.peerz.consensus.EventBus;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.EventAttribute;
import io.peerz.ledger.proto.TxResult;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * peerz's own metrics: the compute market and the subnets as committed state has them (the {@code
 * /stats} query, read at most once per committed height, when Prometheus scrapes), and how long
 * verification takes in block time. Only reads: a query of committed state changes nothing.
 */
final class MarketMetrics {
  private static final Logger log = LoggerFactory.getLogger(MarketMetrics.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The event the state machine emits when a job's output is verified. */
  static final String JOB_VERIFIED = "job_verified";

  private final Application app;
  private final BlockStore blocks;
  private final Histogram verificationSeconds;
  private JsonNode stats;
  private boolean stale = true;
  private boolean warned;

  MarketMetrics(PrometheusRegistry registry, Labels labels, Application app, BlockStore blocks) {
    this.app = app;
    this.blocks = blocks;
    gauge(registry, labels, "peerz_jobs", "Jobs by status.", "status", "jobs");
    gauge(registry, labels, "peerz_subnets", "Subnets by status.", "status", "subnets");
    gauge(registry, labels, "peerz_nodes", "Subnet nodes by class.", "class", "nodes");
    gauge(registry, labels, "peerz_pools", "Compute pools, open or closed.", "state", "pools");
    GaugeWithCallback.builder()
        .name("peerz_executors")
        .help("Registered executors.")
        .constLabels(labels)
        .callback(cb -> withStats(s -> cb.call(number(s.get("executors")))))
        .register(registry);
    GaugeWithCallback.builder()
        .name("peerz_escrow_held")
        .help("Tokens held in the market escrow: pool deposits and job budgets (base units).")
        .constLabels(labels)
        .callback(cb -> withStats(s -> cb.call(number(s.get("escrow")))))
        .register(registry);
    CounterWithCallback.builder()
        .name("peerz_slashes")
        .help("Slashes since genesis by reason (a job attempt's outcome, or double_sign).")
        .constLabels(labels)
        .labelNames("reason")
        .callback(
            cb ->
                withStats(
                    s ->
                        fields(
                            s.get("slashes"),
                            (reason, v) -> cb.call(number(v.get("count")), reason))))
        .register(registry);
    CounterWithCallback.builder()
        .name("peerz_slashed_tokens")
        .help(
            "Stake slashed from executors' nodes since genesis by reason (base units; a double"
                + " sign's burn is in the supply's burned total).")
        .constLabels(labels)
        .labelNames("reason")
        .callback(
            cb ->
                withStats(
                    s ->
                        fields(
                            s.get("slashes"),
                            (reason, v) -> cb.call(number(v.get("amount")), reason))))
        .register(registry);
    verificationSeconds =
        Histogram.builder()
            .name("peerz_job_verification_seconds")
            .help(
                "Block time from a job's output commitment to its verification: the challenge"
                    + " block, the executor's reveal and every validator's check.")
            .constLabels(labels)
            .classicOnly()
            .classicUpperBounds(1, 2, 5, 10, 20, 30, 60, 120, 300, 600)
            .register(registry);
  }

  private void gauge(
      PrometheusRegistry registry,
      Labels labels,
      String name,
      String help,
      String label,
      String field) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .constLabels(labels)
        .labelNames(label)
        .callback(cb -> withStats(s -> fields(s.get(field), (k, v) -> cb.call(number(v), k))))
        .register(registry);
  }

  /** A block was committed: the stats are read again at the next scrape; verified jobs timed. */
  void committed(EventBus.BlockCommitted e) {
    synchronized (this) {
      stale = true;
    }
    long verifiedAt = Blocks.millis(e.block().getHeader().getTime());
    for (TxResult r : e.result().txResults()) {
      verified(r.getEventsList(), verifiedAt);
    }
    verified(e.result().events(), verifiedAt);
  }

  private void verified(List<Event> events, long verifiedAtMillis) {
    for (Event ev : events) {
      if (!ev.getType().equals(JOB_VERIFIED)) {
        continue;
      }
      for (EventAttribute a : ev.getAttributesList()) {
        if (a.getKey().equals("job_id")) {
          long committedAt = commitTime(a.getValue());
          if (committedAt > 0) {
            verificationSeconds.observe(Math.max(0, verifiedAtMillis - committedAt) / 1000.0);
          }
        }
      }
    }
  }

  /** The time of the block in which the job's executor committed to its output, or 0. */
  private long commitTime(String jobId) {
    JsonNode job = query("/job/" + jobId);
    if (job == null) {
      return 0;
    }
    long h = number(job.get("commit_height"));
    return h <= 0 ? 0 : blocks.block(h).map(b -> Blocks.millis(b.getHeader().getTime())).orElse(0L);
  }

  private void withStats(Consumer<JsonNode> use) {
    JsonNode s;
    synchronized (this) {
      if (stale) {
        stats = query("/stats");
        stale = false;
      }
      s = stats;
    }
    if (s != null) {
      use.accept(s);
    }
  }

  private JsonNode query(String path) {
    try {
      Application.QueryResponse r =
          app.query(new Application.QueryRequest(path, new byte[0], 0, false));
      if (r.code() != 0) {
        warnOnce(path, r.log());
        return null;
      }
      return JSON.readTree(r.value());
    } catch (IOException | RuntimeException e) {
      warnOnce(path, e.toString());
      return null;
    }
  }

  private synchronized void warnOnce(String path, String why) {
    // An application without peerz's queries (or without state yet) has no market metrics.
    if (!warned) {
      warned = true;
      log.info("market metrics unavailable query={} reason={}", path, why);
    }
  }

  private static void fields(JsonNode object, BiConsumer<String, JsonNode> each) {
    if (object != null) {
      object.fields().forEachRemaining(e -> each.accept(e.getKey(), e.getValue()));
    }
  }

  private static long number(JsonNode n) {
    if (n == null) {
      return 0;
    }
    try {
      return Long.parseLong(n.asText());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
