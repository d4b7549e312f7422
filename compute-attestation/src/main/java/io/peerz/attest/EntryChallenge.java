package io.peerz.attest;

import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.ledger.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The entries of one output an executor must reveal, derived from a block hash it could not know
 * when it committed. Words of SHA-256("peerz/entry-challenge/v1" || block hash || job id (u64 BE)
 * || counter (u64 BE)), counter = 0, 1, ..., each read as an unsigned u32 BE, are drawn in turn as
 * a row then a column, each by rejection sampling (a word at or above the largest multiple of the
 * bound below 2^32 is dropped, else word mod bound); an entry already drawn is skipped, until
 * {@code count} distinct entries, kept in draw order.
 */
public final class EntryChallenge {
  /** Entries sampled by default (a cheater with a fraction f of wrong entries escapes (1-f)^16). */
  public static final int DEFAULT_ENTRIES = 16;

  private static final byte[] DOMAIN =
      "peerz/entry-challenge/v1".getBytes(StandardCharsets.US_ASCII);

  private final long jobId;
  private final String output;
  private final int[] rows;
  private final int[] cols;

  private EntryChallenge(long jobId, String output, int[] rows, int[] cols) {
    this.jobId = jobId;
    this.output = output;
    this.rows = rows;
    this.cols = cols;
  }

  /**
   * The challenge of job {@code jobId} over the entries of {@code output} from a 32-byte block
   * hash: {@code count} distinct entries, 1 <= count <= rows x cols.
   */
  public static EntryChallenge derive(
      byte[] blockHash, long jobId, CommittedMatrix output, int count) {
    if (blockHash == null || blockHash.length != Sha256.LENGTH) {
      throw new IllegalArgumentException("block hash must be 32 bytes");
    }
    long m = Integer.toUnsignedLong(output.getRows());
    long n = Integer.toUnsignedLong(output.getCols());
    if (m == 0 || n == 0 || count < 1 || count > m * n) {
      throw new IllegalArgumentException(
          "challenge of " + count + " entries of a " + m + " x " + n + " output");
    }
    long limitRows = (1L << 32) - ((1L << 32) % m);
    long limitCols = (1L << 32) - ((1L << 32) % n);
    byte[] job = new byte[8];
    GemmInputs.putLong(job, 0, jobId);
    byte[] counter = new byte[8];
    int[] rows = new int[count];
    int[] cols = new int[count];
    Set<Long> taken = new HashSet<>();
    int drawn = 0;
    long row = -1;
    for (long c = 0; drawn < count; c++) {
      GemmInputs.putLong(counter, 0, c);
      byte[] h = Sha256.hash(DOMAIN, blockHash, job, counter);
      for (int w = 0; w < 8 && drawn < count; w++) {
        long word = Integer.toUnsignedLong(Challenge.readInt(h, 4 * w));
        if (row < 0) {
          if (word < limitRows) {
            row = word % m;
          }
          continue;
        }
        if (word >= limitCols) {
          continue;
        }
        long col = word % n;
        if (taken.add(row * n + col)) {
          rows[drawn] = (int) row;
          cols[drawn] = (int) col;
          drawn++;
        }
        row = -1;
      }
    }
    return new EntryChallenge(jobId, output.getName(), rows, cols);
  }

  /** The job this challenge is for. */
  public long jobId() {
    return jobId;
  }

  /** The name of the challenged output. */
  public String output() {
    return output;
  }

  /** The rows of the sampled entries, in draw order (a copy). */
  public int[] rows() {
    return rows.clone();
  }

  /** The columns of the sampled entries, in draw order (a copy). */
  public int[] cols() {
    return cols.clone();
  }

  /** How many entries. */
  public int size() {
    return rows.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EntryChallenge other
        && jobId == other.jobId
        && output.equals(other.output)
        && Arrays.equals(rows, other.rows)
        && Arrays.equals(cols, other.cols);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(rows) + Arrays.hashCode(cols);
  }

  @Override
  public String toString() {
    return "EntryChallenge[jobId="
        + Long.toUnsignedString(jobId)
        + ", output="
        + output
        + ", rows="
        + Arrays.toString(rows)
        + ", cols="
        + Arrays.toString(cols)
        + "]";
  }
}
