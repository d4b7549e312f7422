package io.peerz.attest;

import io.peerz.ledger.Hex;
import io.peerz.ledger.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The rows an executor must reveal for one job, derived from a block hash the executor could not
 * know when it committed. Rows: words of SHA-256(block hash || job id (u64 BE) || counter (u64 BE))
 * for counter = 0, 1, ..., each read as an unsigned u32 BE, mapped to a row by rejection sampling
 * (words at or above the largest multiple of n below 2^32 are dropped, then word mod n) and repeats
 * skipped until k distinct rows are drawn, kept in draw order. Freivalds vector: {@link
 * Freivalds#vector} of the seed SHA-256("peerz/challenge/freivalds/v1" || block hash || job id (u64
 * BE)), round 0.
 */
public final class Challenge {
  /** Rows sampled by default: a cheater who skipped 10% of rows escapes with probability 0.185. */
  public static final int DEFAULT_ROWS = 16;

  private static final byte[] FREIVALDS_DOMAIN =
      "peerz/challenge/freivalds/v1".getBytes(StandardCharsets.US_ASCII);

  private final long jobId;
  private final int n;
  private final byte[] blockHash;
  private final int[] rows;
  private final byte[] freivaldsSeed;

  private Challenge(long jobId, int n, byte[] blockHash, int[] rows, byte[] freivaldsSeed) {
    this.jobId = jobId;
    this.n = n;
    this.blockHash = blockHash;
    this.rows = rows;
    this.freivaldsSeed = freivaldsSeed;
  }

  /**
   * Derives the challenge of job {@code jobId} (an {@code int8-gemm-n} job) from a 32-byte block
   * hash: {@code k} distinct rows, 1 <= k <= n.
   */
  public static Challenge derive(byte[] blockHash, long jobId, Workload workload, int k) {
    if (blockHash == null || blockHash.length != Sha256.LENGTH) {
      throw new IllegalArgumentException(
          "block hash must be 32 bytes, got " + (blockHash == null ? "null" : blockHash.length));
    }
    int n = workload.n();
    if (k < 1 || k > n) {
      throw new IllegalArgumentException("challenge rows k=" + k + " must be in 1.." + n);
    }
    byte[] job = new byte[8];
    GemmInputs.putLong(job, 0, jobId);
    byte[] counter = new byte[8];
    // 2^32 - (2^32 mod n): the words below it map onto the n rows uniformly.
    long limit = (1L << 32) - ((1L << 32) % n);
    boolean[] taken = new boolean[n];
    int[] rows = new int[k];
    int drawn = 0;
    for (long c = 0; drawn < k; c++) {
      GemmInputs.putLong(counter, 0, c);
      byte[] h = Sha256.hash(blockHash, job, counter);
      for (int w = 0; w < 8 && drawn < k; w++) {
        long word = Integer.toUnsignedLong(readInt(h, 4 * w));
        if (word >= limit) {
          continue;
        }
        int row = (int) (word % n);
        if (!taken[row]) {
          taken[row] = true;
          rows[drawn++] = row;
        }
      }
    }
    byte[] freivaldsSeed = Sha256.hash(FREIVALDS_DOMAIN, blockHash, job);
    return new Challenge(jobId, n, blockHash.clone(), rows, freivaldsSeed);
  }

  /** The job this challenge is for. */
  public long jobId() {
    return jobId;
  }

  /** The matrix side of the job's workload. */
  public int n() {
    return n;
  }

  /** The block hash it was derived from (a copy). */
  public byte[] blockHash() {
    return blockHash.clone();
  }

  /** The k distinct rows to reveal, in draw order (a copy). */
  public int[] rows() {
    return rows.clone();
  }

  /** The seed of this challenge's Freivalds vectors (a copy). */
  public byte[] freivaldsSeed() {
    return freivaldsSeed.clone();
  }

  /** The random vector r for a Freivalds check of the whole output: n entries in [0, 65535]. */
  public long[] r() {
    return Freivalds.vector(freivaldsSeed, 0, n);
  }

  static int readInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24)
        | ((b[at + 1] & 0xff) << 16)
        | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Challenge other
        && jobId == other.jobId
        && n == other.n
        && Arrays.equals(blockHash, other.blockHash)
        && Arrays.equals(rows, other.rows);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(rows) * 31 + Long.hashCode(jobId);
  }

  @Override
  public String toString() {
    return "Challenge[jobId="
        + Long.toUnsignedString(jobId)
        + ", n="
        + n
        + ", block="
        + Hex.encodeUpper(blockHash)
        + ", rows="
        + Arrays.toString(rows)
        + "]";
  }
}
