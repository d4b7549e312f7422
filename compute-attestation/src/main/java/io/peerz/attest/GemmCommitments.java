package io.peerz.attest;

import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.EntryReveal;
import io.peerz.attest.proto.PostedRows;
import io.peerz.attest.proto.RevealedEntry;
import java.util.List;

/**
 * The three commitments of one {@code gemm-int8} job, A by rows, B by columns and C by rows, and
 * the proofs built from them: an entry with its row of A, column of B and row of C (a reveal or a
 * dispute), and rows of C (an availability answer).
 */
public final class GemmCommitments {
  private final MatrixCommitment a;
  private final MatrixCommitment b;
  private final MatrixCommitment c;

  private GemmCommitments(MatrixCommitment a, MatrixCommitment b, MatrixCommitment c) {
    this.a = a;
    this.b = b;
    this.c = c;
  }

  /** Commits to A (m x k), B (k x n) and C (m x n); the matrices are kept by reference. */
  public static GemmCommitments of(Int8Matrix a, Int8Matrix b, Int32Matrix c) {
    if (a.cols() != b.rows() || c.rows() != a.rows() || c.cols() != b.cols()) {
      throw new IllegalArgumentException(
          "shapes do not chain: a "
              + a.rows()
              + " x "
              + a.cols()
              + ", b "
              + b.rows()
              + " x "
              + b.cols()
              + ", c "
              + c.rows()
              + " x "
              + c.cols());
    }
    return new GemmCommitments(inputA(a), inputB(b), output(c));
  }

  /** A committed by rows, as a gemm-int8 job's input {@code a}. */
  public static MatrixCommitment inputA(Int8Matrix a) {
    return MatrixCommitment.int8Rows("a", a.rows(), a.cols(), a.data());
  }

  /** B committed by columns, as a gemm-int8 job's input {@code b}. */
  public static MatrixCommitment inputB(Int8Matrix b) {
    return MatrixCommitment.int8Columns("b", b.rows(), b.cols(), b.data());
  }

  /** C committed by rows, as a gemm-int8 job's output {@code c}. */
  public static MatrixCommitment output(Int32Matrix c) {
    return MatrixCommitment.int32Rows("c", c.rows(), c.cols(), c.data());
  }

  /** The inputs as a job commits to them: a, b. */
  public List<CommittedMatrix> inputs() {
    return List.of(a.committed(), b.committed());
  }

  /** The outputs as the executor commits to them: c. */
  public List<CommittedMatrix> outputs() {
    return List.of(c.committed());
  }

  /** C[row][col] with its row of C, row of A and column of B, each with its proof. */
  public RevealedEntry entry(int row, int col) {
    return RevealedEntry.newBuilder()
        .setOutput("c")
        .setRow(row)
        .setCol(col)
        .setOutputRow(c.prove(row))
        .setLeftRow(a.prove(row))
        .setRightColumn(b.prove(col))
        .build();
  }

  /** The reveal answering {@code challenge}: its entries in its order. */
  public EntryReveal reveal(EntryChallenge challenge) {
    EntryReveal.Builder r = EntryReveal.newBuilder().setJobId(challenge.jobId());
    int[] rows = challenge.rows();
    int[] cols = challenge.cols();
    for (int s = 0; s < rows.length; s++) {
      r.addEntries(entry(rows[s], cols[s]));
    }
    return r.build();
  }

  /** Rows of C with their proofs, in the given order, answering an availability request. */
  public PostedRows rows(long jobId, List<Integer> rows) {
    PostedRows.Builder p = PostedRows.newBuilder().setJobId(jobId).setOutput("c");
    for (int r : rows) {
      p.addRows(c.prove(r));
    }
    return p.build();
  }
}
