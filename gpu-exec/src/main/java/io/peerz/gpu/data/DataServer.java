package io.peerz.gpu.data;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's data endpoint: buyers upload a job's inputs (whole, or in chunks resumed at the
 * server's offset), each checked once complete before the job may use it, and download its outputs
 * with ranges. HTTP/1.1 on Netty; docs/data-plane.md describes the protocol.
 *
 * <p>Crash safety: a partial upload survives a restart of the server with its offset (the length of
 * its file under storage). After a restart the executor calls {@link #expectInput} again and the
 * buyer resumes from that offset; bytes a crash damaged are caught by the check, which runs over
 * the whole file once it is complete (the upload then starts again from 0). A verified input found
 * on disk is checked again before {@link #input} completes.
 */
public final class DataServer implements AutoCloseable {
  /** The protocol version {@code /v1/status} reports (the {@code /v1} of the paths). */
  public static final int PROTOCOL_VERSION = 1;

  /** Input and output names: lower case, digits, {@code . _ -}, at most 64 characters. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private static final Logger log = LoggerFactory.getLogger(DataServer.class);

  private final JobFiles files;
  private final DataLimits limits;
  private final String executor;
  private final ExecutorService checks;
  private final ByteCount bytes = new ByteCount();
  private HttpListener listener;
  private volatile boolean closed;

  private DataServer(JobFiles files, DataLimits limits, String executor, ExecutorService checks) {
    this.files = files;
    this.limits = limits;
    this.executor = executor;
    this.checks = checks;
  }

  /** Binds (port 0 = any free port) and serves files stored under {@code storage}. */
  public static DataServer start(Path storage, InetSocketAddress bind, DataLimits limits) {
    return start(storage, bind, limits, null);
  }

  /**
   * As {@link #start(Path, InetSocketAddress, DataLimits)}, naming the executor ({@code 0x...}
   * address) that {@code /v1/status} and the errors report.
   */
  public static DataServer start(
      Path storage, InetSocketAddress bind, DataLimits limits, String executor) {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService checks =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())),
            r -> {
              Thread t = new Thread(r, "data-check-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    DataServer server = new DataServer(new JobFiles(storage, limits), limits, executor, checks);
    try {
      server.listener =
          HttpListener.start("data", bind, limits, () -> new DataConnection(server), server.bytes);
    } catch (RuntimeException e) {
      checks.shutdownNow();
      throw e;
    }
    log.info(
        "data server started url={} storage={} executor={} max_file_bytes={} max_stored_bytes={}",
        server.baseUrl(),
        storage,
        executor,
        limits.maxFileBytes(),
        limits.maxStoredBytes());
    return server;
  }

  /** The bytes this endpoint received (uploads, requests) and sent (downloads, answers). */
  public ByteCount.Totals bytes() {
    return bytes.totals();
  }

  /** e.g. {@code http://127.0.0.1:PORT} (the bound address: give the public one to buyers). */
  public URI baseUrl() {
    return listener.baseUrl();
  }

  /** True when {@code name} may name an input or output. */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * Accepts uploads of (jobId, name), exactly {@code size} bytes, checked by {@code check}. Calling
   * it again with the same size keeps the bytes received and replaces the check; another size drops
   * them.
   *
   * @throws IllegalArgumentException when the name is invalid or the size is not in [1,
   *     maxFileBytes]
   */
  public void expectInput(long jobId, String name, long size, InputCheck check) {
    checkIds(jobId, name);
    if (size <= 0 || size > limits.maxFileBytes()) {
      throw new IllegalArgumentException(
          "input "
              + name
              + " of job "
              + jobId
              + " is "
              + size
              + " bytes; this data server takes 1 to "
              + limits.maxFileBytes());
    }
    if (check == null) {
      throw new IllegalArgumentException("an input needs a check");
    }
    JobFiles.Expected expected = files.expect(jobId, name, size, check);
    InputSlot slot = expected.slot();
    log.info(
        "data input expected job={} name={} size={} offset={} state={}",
        jobId,
        name,
        size,
        slot.offset,
        slot.state);
    if (expected.runCheck()) {
      check(slot);
    }
  }

  /**
   * Completes with the verified file once the upload is complete and checked; fails (with a
   * CancellationException as the cause) when the job is forgotten or the input expected with
   * another size. A failed check leaves it pending: the buyer may upload again.
   *
   * @throws IllegalStateException when the input is not expected
   */
  public CompletableFuture<Path> input(long jobId, String name) {
    InputSlot slot = files.slot(jobId, name);
    if (slot == null) {
      throw new IllegalStateException(
          "job " + jobId + " expects no input " + name + " here: call expectInput first");
    }
    return slot.verified.copy();
  }

  /** Serves {@code file} (moved under storage) at /v1/jobs/{jobId}/outputs/{name}. */
  public void publishOutput(long jobId, String name, Path file) {
    checkIds(jobId, name);
    Path at = files.publish(jobId, name, file);
    log.info("data output published job={} name={} file={}", jobId, name, at);
  }

  /** Drops everything of the job (its retention is over, or it failed/was cancelled). */
  public void forget(long jobId) {
    boolean held = files.forget(jobId);
    log.info("data job forgotten job={} held={}", jobId, held);
  }

  /**
   * The ids of the jobs with files under storage, ascending: after a restart, those the executor no
   * longer needs are to be forgotten.
   */
  public List<Long> storedJobs() {
    return files.storedJobs();
  }

  /** Stops serving and checking; files stay under storage. */
  @Override
  public void close() {
    closed = true;
    listener.close();
    checks.shutdownNow();
    log.info("data server closed url={}", listener.baseUrl());
  }

  JobFiles files() {
    return files;
  }

  String executor() {
    return executor;
  }

  DataLimits limits() {
    return limits;
  }

  /** Runs the input's check off the network threads. */
  CompletableFuture<CheckOutcome> check(InputSlot slot) {
    try {
      return CompletableFuture.supplyAsync(() -> runCheck(slot), checks);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(new CheckOutcome.Failed("the server is closing"));
    }
  }

  private CheckOutcome runCheck(InputSlot slot) {
    long started = System.nanoTime();
    InputCheck check;
    synchronized (files) {
      check = slot.check;
    }
    try {
      check.check(slot.partial);
    } catch (DataRejectedException e) {
      files.rejected(slot);
      log.info(
          "data input rejected {} size={} code={} message=\"{}\"",
          slot,
          slot.size,
          e.code(),
          e.getMessage());
      return new CheckOutcome.Rejected(e);
    } catch (RuntimeException e) {
      if (closed) {
        // Interrupted by close(): the bytes stay, and the next run checks them again.
        log.info("data input check stopped by close {}", slot);
        return new CheckOutcome.Failed("the server is closing");
      }
      files.rejected(slot);
      log.warn("data input check failed {} size={}", slot, slot.size, e);
      return new CheckOutcome.Failed("the input's check failed on the server: " + e);
    }
    try {
      Path file = files.verified(slot);
      if (file == null) {
        log.info("data input verified after its job was forgotten {}", slot);
        return new CheckOutcome.Forgotten();
      }
      log.info(
          "data input verified {} size={} check_ms={}",
          slot,
          slot.size,
          (System.nanoTime() - started) / 1_000_000);
      slot.verified.complete(file);
      return new CheckOutcome.Verified(file);
    } catch (IOException e) {
      files.rejected(slot);
      log.warn("data input not stored {} cause={}", slot, e.toString());
      return new CheckOutcome.Failed("the server cannot store the verified input: " + e);
    }
  }

  private static void checkIds(long jobId, String name) {
    if (jobId < 0) {
      throw new IllegalArgumentException("job id must not be negative: " + jobId);
    }
    if (!isValidName(name)) {
      throw new IllegalArgumentException(
          "name must match " + NAME.pattern() + " (e.g. a.npy), got '" + name + "'");
    }
  }
}
