package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyFileTest {
  @TempDir Path dir;

  /** A .npy file of any version with this dict text and body, padded as NumPy pads. */
  private static byte[] npy(int major, String dict, byte[] body) {
    int lengthBytes = major == 1 ? 2 : 4;
    int unpadded = 8 + lengthBytes + dict.length() + 1;
    int padded = (unpadded + 63) / 64 * 64;
    byte[] text =
        (dict + " ".repeat(padded - unpadded) + "\n")
            .getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    ByteBuffer len = ByteBuffer.allocate(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
    if (major == 1) {
      len.putShort((short) text.length);
    } else {
      len.putInt(text.length);
    }
    out.writeBytes(len.array());
    out.writeBytes(text);
    out.writeBytes(body);
    return out.toByteArray();
  }

  private Path file(byte[] bytes) throws Exception {
    Path p = Files.createTempFile(dir, "m", ".npy");
    Files.write(p, bytes);
    return p;
  }

  @Test
  void writesExactlyTheBytesNumpySaveWrites() throws Exception {
    Path p = dir.resolve("a.npy");
    NpyFile.writeInt8(p, new Int8Matrix(2, 3, new byte[] {1, 2, 3, -4, -5, -6}));
    byte[] b = Files.readAllBytes(p);
    // numpy.save(np.array([[1,2,3],[-4,-5,-6]], dtype=np.int8)): a 128-byte header, then the body.
    String header = new String(b, 0, 128, StandardCharsets.ISO_8859_1);
    assertThat(header)
        .isEqualTo(
            "\u0093NUMPY\u0001\u0000v\u0000{'descr': '|i1', 'fortran_order': False, 'shape': (2,"
                + " 3), }"
                + " ".repeat(58)
                + "\n");
    assertThat(Arrays.copyOfRange(b, 128, b.length)).containsExactly(1, 2, 3, -4, -5, -6);
  }

  @Test
  void int8AndInt32MatricesRoundTrip() throws Exception {
    Path a = dir.resolve("a.npy");
    byte[] data = new byte[12 * 7];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 37);
    }
    NpyFile.writeInt8(a, new Int8Matrix(12, 7, data));
    Int8Matrix back = NpyFile.readInt8(a);
    assertThat(back.rows()).isEqualTo(12);
    assertThat(back.cols()).isEqualTo(7);
    assertThat(back.data()).isEqualTo(data);
    Path c = dir.resolve("c.npy");
    int[] values = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 123456};
    NpyFile.writeInt32(c, new Int32Matrix(3, 2, values));
    assertThat(NpyFile.readInt32(c).data()).isEqualTo(values);
    assertThat(NpyFile.readHeader(c).shapeText()).isEqualTo("(3, 2)");
  }

  @Test
  void readsVersions2And3BigEndianAndFortranOrder() throws Exception {
    // [[1, 2, 3], [4, 5, 6]] as big-endian int32 in Fortran (column-major) order: 1 4 2 5 3 6.
    ByteBuffer body = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN);
    for (int v : new int[] {1, 4, 2, 5, 3, 6}) {
      body.putInt(v);
    }
    for (int major = 1; major <= 3; major++) {
      Path p =
          file(
              npy(
                  major,
                  "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }",
                  body.array()));
      Int32Matrix m = NpyFile.readInt32(p);
      assertThat(m.data()).as("version %d", major).containsExactly(1, 2, 3, 4, 5, 6);
      assertThat(NpyFile.readHeader(p).major()).isEqualTo(major);
    }
    Path f =
        file(
            npy(
                1,
                "{'descr': '|i1', 'fortran_order': True, 'shape': (2, 3)}",
                new byte[] {1, 4, 2, 5, 3, 6}));
    assertThat(NpyFile.readInt8(f).data()).containsExactly(1, 2, 3, 4, 5, 6);
    Path dq =
        file(
            npy(
                3,
                "{\"shape\": (1, 2), \"fortran_order\": False, \"descr\": \"i1\"}",
                new byte[] {7, 8}));
    assertThat(NpyFile.readInt8(dq).data()).containsExactly(7, 8);
  }

  @Test
  void malformedFilesAreRefusedWithAMessageNamingTheFault() throws Exception {
    byte[] good =
        npy(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2), }", new byte[4]);
    assertRejected(Arrays.copyOf("not numpy".getBytes(StandardCharsets.US_ASCII), 20), "magic");
    byte[] v4 = good.clone();
    v4[6] = 4;
    assertRejected(v4, "unsupported .npy version 4.0");
    byte[] lies = good.clone();
    lies[8] = (byte) 0xff;
    lies[9] = (byte) 0x7f;
    assertRejected(lies, "lies about its size");
    assertRejected(Arrays.copyOf(good, good.length - 1), "truncated body");
    assertRejected(Arrays.copyOf(good, good.length + 3), "oversized body");
    assertRejected(Arrays.copyOf(good, 9), "header length");
    assertRejected(
        npy(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2), 'x': 1}", new byte[4]),
        "expected a string, a tuple, True or False");
    assertRejected(
        npy(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2), 'x': 'y'}", new byte[4]),
        "unknown key 'x'");
    assertRejected(npy(1, "{'descr': '|i1', 'shape': (2, 2)}", new byte[4]), "fortran_order");
    assertRejected(
        npy(1, "{'descr': [('x', '<i4')], 'fortran_order': False, 'shape': (1,)}", new byte[4]),
        "not a valid dict");
    assertRejected(
        npy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 2)}", new byte[32]),
        "not one peerz reads");
    assertRejected(
        npy(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2)} trailing", new byte[4]),
        "text after its dict");
    assertRejected(
        npy(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, -2)}", new byte[4]),
        "non-negative integer");
  }

  @Test
  void aMatrixReaderRefusesOtherDtypesAndShapes() throws Exception {
    Path int32 = dir.resolve("c.npy");
    NpyFile.writeInt32(int32, new Int32Matrix(1, 1, new int[] {5}));
    assertThatThrownBy(() -> NpyFile.readInt8(int32))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("dtype is int32, expected int8");
    Path threeD =
        file(npy(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2, 2), }", new byte[8]));
    assertThatThrownBy(() -> NpyFile.readInt8(threeD))
        .hasMessageContaining("shape (2, 2, 2) is not a matrix");
    Path empty =
        file(npy(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (0, 3), }", new byte[0]));
    assertThatThrownBy(() -> NpyFile.readInt8(empty)).hasMessageContaining("has no entries");
    Path le = file(npy(1, "{'descr': 'i4', 'fortran_order': False, 'shape': (1,), }", new byte[4]));
    assertThatThrownBy(() -> NpyFile.readHeader(le)).hasMessageContaining("has no byte order");
  }

  private void assertRejected(byte[] bytes, String message) throws Exception {
    Path p = file(bytes);
    assertThatThrownBy(() -> NpyFile.readHeader(p))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(message);
  }
}
