package io.peerz.gpu.executor;

import io.peerz.attest.Int8Matrix;
import io.peerz.attest.MatrixCommitment;
import io.peerz.attest.NpyFile;
import io.peerz.attest.NpyFormatException;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.MatrixLayout;
import io.peerz.gpu.data.DataRejectedException;
import io.peerz.gpu.data.InputCheck;
import io.peerz.ledger.Hex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The check of one input of a data job once all its bytes are in: a NumPy .npy int8 matrix of the
 * committed shape whose Merkle root (by rows or columns, as committed) is the committed root. Codes
 * (codespace {@code input} in docs/errors.md): input/1 not a readable .npy, input/2 another dtype
 * or shape, input/3 another root.
 */
public final class MatrixInputCheck implements InputCheck {
  private final long jobId;
  private final CommittedMatrix expected;

  public MatrixInputCheck(long jobId, CommittedMatrix expected) {
    this.jobId = jobId;
    this.expected = expected;
  }

  @Override
  public void check(Path file) throws DataRejectedException {
    Int8Matrix m;
    try {
      m = NpyFile.readInt8(file);
    } catch (NpyFormatException e) {
      String msg = e.getMessage();
      boolean shape = msg.startsWith("dtype is") || msg.startsWith("shape ");
      throw new DataRejectedException(
          shape ? "input/2" : "input/1",
          "job " + jobId + " input " + expected.getName() + ": " + msg);
    } catch (IOException e) {
      throw new DataRejectedException(
          "input/1", "job " + jobId + " input " + expected.getName() + " cannot be read: " + e);
    }
    long rows = Integer.toUnsignedLong(expected.getRows());
    long cols = Integer.toUnsignedLong(expected.getCols());
    if (m.rows() != rows || m.cols() != cols) {
      throw new DataRejectedException(
          "input/2",
          "job "
              + jobId
              + " committed "
              + expected.getName()
              + " as "
              + rows
              + " x "
              + cols
              + ", the file is "
              + m.rows()
              + " x "
              + m.cols());
    }
    MatrixCommitment c =
        expected.getLayout() == MatrixLayout.MATRIX_LAYOUT_COLUMNS
            ? MatrixCommitment.int8Columns(expected.getName(), m.rows(), m.cols(), m.data())
            : MatrixCommitment.int8Rows(expected.getName(), m.rows(), m.cols(), m.data());
    if (!Arrays.equals(c.root(), expected.getRoot().toByteArray())) {
      throw new DataRejectedException(
          "input/3",
          "job "
              + jobId
              + " committed "
              + expected.getName()
              + " with root "
              + Hex.encodeUpper(expected.getRoot().toByteArray()).substring(0, 16)
              + "..., the file's root is "
              + Hex.encodeUpper(c.root()).substring(0, 16)
              + "...: upload the file the job was submitted with");
    }
  }
}
