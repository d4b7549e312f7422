package io.peerz.gpu.executor;

import io.peerz.gpu.data.ByteCount;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;
import java.util.function.Supplier;

/**
 * The executor's Prometheus metrics ({@code peerz server --metrics-laddr}, docs/metrics.md): the
 * products it ran and how fast its kernels went, the bytes its data plane moved, and its backend.
 * Every metric carries the executor's address as the {@code executor} label.
 */
public final class ExecutorMetrics {

  /** What a product was run for. */
  public enum Kind {
    BENCHMARK,
    POOL,
    DATA;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Counter jobsRun;
  private final Histogram computeSeconds;
  private final Gauge kernelTops;

  /**
   * Registers the metrics in {@code registry}: {@code backend} and {@code floatBackend} name the
   * GEMM backends (int8 and fp32 products), {@code bytes} the data plane's counts (the endpoint's
   * and the client's), read when Prometheus scrapes.
   */
  public ExecutorMetrics(
      PrometheusRegistry registry,
      String executor,
      String backend,
      String floatBackend,
      List<Supplier<ByteCount.Totals>> bytes) {
    Labels labels = Labels.of("executor", executor);
    jobsRun =
        Counter.builder()
            .name("peerz_executor_jobs_run")
            .help("Products computed for jobs, by kind (benchmark, pool, data).")
            .constLabels(labels)
            .labelNames("kind")
            .register(registry);
    for (Kind k : Kind.values()) {
      jobsRun.labelValues(k.label());
    }
    computeSeconds =
        Histogram.builder()
            .name("peerz_executor_compute_seconds")
            .help("Time of each job's product on the backend, by kind.")
            .constLabels(labels)
            .labelNames("kind")
            .classicOnly()
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
            .register(registry);
    kernelTops =
        Gauge.builder()
            .name("peerz_executor_kernel_tops")
            .help(
                "Throughput of the last product, in tera-operations per second (2mkn over its"
                    + " time; int8 or fp32 by the workload).")
            .constLabels(labels)
            .labelNames("kind")
            .register(registry);
    CounterWithCallback.builder()
        .name("peerz_executor_data_bytes")
        .help(
            "Bytes the data plane moved (uploads and downloads at the data endpoint, fetches of"
                + " job URLs), by direction.")
        .constLabels(labels)
        .labelNames("direction")
        .callback(
            cb -> {
              long in = 0;
              long out = 0;
              for (Supplier<ByteCount.Totals> b : bytes) {
                ByteCount.Totals t = b.get();
                in += t.received();
                out += t.sent();
              }
              cb.call(in, "received");
              cb.call(out, "sent");
            })
        .register(registry);
    Info.builder()
        .name("peerz_executor_backend_info")
        .help("The GEMM backends: int8 products on backend, fp32 products on float_backend.")
        .constLabels(labels)
        .labelNames("backend", "float_backend")
        .register(registry)
        .addLabelValues(backend, floatBackend);
  }

  /** A product of an m x k by a k x n matrix took {@code nanos}. */
  void computed(Kind kind, long m, long k, long n, long nanos) {
    jobsRun.labelValues(kind.label()).inc();
    double seconds = Math.max(1, nanos) / 1e9;
    computeSeconds.labelValues(kind.label()).observe(seconds);
    kernelTops.labelValues(kind.label()).set(2.0 * m * k * n / seconds / 1e12);
  }
}
