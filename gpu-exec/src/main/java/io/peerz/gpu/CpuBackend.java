package io.peerz.gpu;

import io.peerz.attest.CpuGemm;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;

/**
 * The CPU fallback: {@link CpuGemm#multiply(int, byte[], byte[])} (the reference itself, so the
 * bytes are the reference's) and {@link CpuGemm#multiplyFloat} run inside a pool of its own with
 * one thread per core. CpuGemm's parallel streams run in the fork-join pool of the thread that
 * starts them, so the product uses exactly this pool's threads and never competes for the JVM's
 * common pool.
 */
public final class CpuBackend implements GemmBackend {
  private final ForkJoinPool pool;

  /** One thread per available core. */
  public CpuBackend() {
    this(Runtime.getRuntime().availableProcessors());
  }

  /** A pool of {@code threads} threads, at least 1. */
  public CpuBackend(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads + " must be at least 1");
    }
    this.pool =
        new ForkJoinPool(
            threads,
            p -> {
              ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
              t.setName("gemm-cpu-" + t.getPoolIndex());
              return t;
            },
            null,
            false);
  }

  @Override
  public String name() {
    return "cpu";
  }

  /** The pool's size. */
  public int threads() {
    return pool.getParallelism();
  }

  @Override
  public int[] multiply(int n, byte[] a, byte[] b) {
    return inPool(() -> CpuGemm.multiply(n, a, b));
  }

  @Override
  public int[] multiply(int m, int k, int n, byte[] a, byte[] b) {
    return inPool(() -> CpuGemm.multiply(m, k, n, a, b));
  }

  /** {@link CpuGemm#multiplyFloat}, on this backend's threads. */
  @Override
  public float[] multiplyFloat(int n, float[] a, float[] b) {
    return inPool(() -> CpuGemm.multiplyFloat(n, a, b));
  }

  @Override
  public boolean supportsFloat() {
    return true;
  }

  private <T> T inPool(java.util.concurrent.Callable<T> product) {
    ForkJoinTask<T> task;
    try {
      task = pool.submit(product);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("the CPU backend is closed", e);
    }
    // join() rethrows CpuGemm's IllegalArgumentException unchecked.
    return task.join();
  }

  @Override
  public void close() {
    pool.shutdown();
  }
}
