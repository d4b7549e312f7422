package io.peerz.gpu.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.attest.GemmCommitments;
import io.peerz.attest.Int32Matrix;
import io.peerz.attest.Int8Matrix;
import io.peerz.attest.NpyFile;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.gpu.data.DataRejectedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatrixInputCheckTest {
  @TempDir Path dir;

  final Int8Matrix b = new Int8Matrix(3, 2, new byte[] {1, -2, 3, -4, 5, -6});
  final CommittedMatrix committed = GemmCommitments.inputB(b).committed();
  final MatrixInputCheck check = new MatrixInputCheck(7, committed);

  @Test
  void theCommittedFilePassesInWhateverLayoutItWasSaved() throws Exception {
    Path p = dir.resolve("b.npy");
    NpyFile.writeInt8(p, b);
    check.check(p);
  }

  @Test
  void eachFaultHasItsCodeAndAMessageThatNamesIt() throws Exception {
    Path junk = dir.resolve("junk.npy");
    Files.writeString(junk, "not a numpy file at all");
    assertCode(junk, "input/1", "magic");
    Path truncated = dir.resolve("t.npy");
    NpyFile.writeInt8(truncated, b);
    byte[] all = Files.readAllBytes(truncated);
    Files.write(truncated, java.util.Arrays.copyOf(all, all.length - 1));
    assertCode(truncated, "input/1", "truncated body");
    Path int32 = dir.resolve("i.npy");
    NpyFile.writeInt32(int32, new Int32Matrix(3, 2, new int[6]));
    assertCode(int32, "input/2", "dtype is int32");
    Path shape = dir.resolve("s.npy");
    NpyFile.writeInt8(shape, new Int8Matrix(2, 3, new byte[6]));
    assertCode(shape, "input/2", "committed b as 3 x 2, the file is 2 x 3");
    Path other = dir.resolve("o.npy");
    NpyFile.writeInt8(other, new Int8Matrix(3, 2, new byte[] {1, -2, 3, -4, 5, 6}));
    assertCode(other, "input/3", "upload the file the job was submitted with");
  }

  private void assertCode(Path file, String code, String message) {
    assertThatThrownBy(() -> check.check(file))
        .isInstanceOf(DataRejectedException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((DataRejectedException) e).code()).isEqualTo(code));
  }
}
