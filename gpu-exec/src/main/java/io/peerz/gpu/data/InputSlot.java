package io.peerz.gpu.data;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * One input a job expects here: its size and check, the bytes held so far, and who is uploading it.
 * Fields other than {@code offset} and {@code forgotten} change only under the {@link JobFiles}
 * lock.
 */
final class InputSlot {
  /** Where an input stands. */
  enum State {
    /** Bytes arrive (or none yet); offset is what the partial file holds. */
    RECEIVING,
    /** Every byte is in and the check runs. */
    CHECKING,
    /** Checked: the file sits at {@link #complete}. */
    VERIFIED
  }

  final long jobId;
  final String name;
  final long size;
  final Path partial;
  final Path complete;
  final CompletableFuture<Path> verified = new CompletableFuture<>();

  InputCheck check;
  State state = State.RECEIVING;

  /** The connection writing to the partial file, or null. */
  Object writer;

  /** Counted in the server's stored bytes (from the first byte until discarded). */
  boolean reserved;

  /** Bytes in the partial file; written by the uploading connection, read by anyone. */
  volatile long offset;

  /** Set when the job is forgotten or the input replaced: its writer and check stop. */
  volatile boolean forgotten;

  InputSlot(long jobId, String name, long size, InputCheck check, Path partial, Path complete) {
    this.jobId = jobId;
    this.name = name;
    this.size = size;
    this.check = check;
    this.partial = partial;
    this.complete = complete;
  }

  @Override
  public String toString() {
    return "job=" + jobId + " name=" + name;
  }
}
