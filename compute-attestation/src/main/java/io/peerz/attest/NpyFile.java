package io.peerz.attest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The NumPy {@code .npy} format (versions 1.0, 2.0 and 3.0): the magic {@code \x93NUMPY}, a
 * version, a little-endian header length (u16 in 1.0, u32 after), a header that is a Python dict
 * literal {@code {'descr': '<i4', 'fortran_order': False, 'shape': (3, 4), }} (latin-1, UTF-8 in
 * 3.0), then the elements in C or Fortran order. Reading is strict: an unknown version, a header
 * that claims more bytes than the file has or exceeds {@link #MAX_HEADER_BYTES}, a dict with other
 * keys or values, an unsupported dtype, and a body shorter or longer than the shape says are errors
 * whose message names the file's fault. Writing produces exactly what {@code numpy.save} writes
 * (version 1.0, header padded with spaces to a multiple of 64 bytes, ending in a newline).
 */
public final class NpyFile {
  /** Largest header accepted (NumPy's own reader refuses above 10,000 bytes by default). */
  public static final int MAX_HEADER_BYTES = 65_536;

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  private NpyFile() {}

  /** A parsed header: version, element type and byte order, order of the elements, shape. */
  public record Header(
      int major,
      int minor,
      NpyDtype dtype,
      boolean bigEndian,
      boolean fortranOrder,
      long[] shape,
      long dataOffset) {

    /** The number of elements, the product of the shape. */
    public long elements() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }

    /** The body's size in bytes. */
    public long dataBytes() {
      return Math.multiplyExact(elements(), dtype.size());
    }

    /** e.g. "(1024, 768)". */
    public String shapeText() {
      StringBuilder b = new StringBuilder("(");
      for (int i = 0; i < shape.length; i++) {
        b.append(i == 0 ? "" : ", ").append(shape[i]);
      }
      return b.append(shape.length == 1 ? ",)" : ")").toString();
    }
  }

  /**
   * Reads and checks the header of {@code file}, and that the file holds exactly the body the
   * header describes.
   */
  public static Header readHeader(Path file) throws IOException, NpyFormatException {
    long size = Files.size(file);
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, size);
    }
  }

  /**
   * Reads a header from {@code in} (positioned at the file's start) and checks it against the
   * file's total size.
   */
  public static Header parse(InputStream in, long fileSize) throws IOException, NpyFormatException {
    byte[] lead = in.readNBytes(8);
    if (lead.length < 8 || !startsWithMagic(lead)) {
      throw new NpyFormatException(
          "not a .npy file: it does not start with the magic \\x93NUMPY (write it with numpy.save)");
    }
    int major = lead[6] & 0xff;
    int minor = lead[7] & 0xff;
    if (minor != 0 || major < 1 || major > 3) {
      throw new NpyFormatException(
          "unsupported .npy version " + major + "." + minor + "; versions 1.0, 2.0 and 3.0 are");
    }
    int lengthBytes = major == 1 ? 2 : 4;
    byte[] len = in.readNBytes(lengthBytes);
    if (len.length < lengthBytes) {
      throw new NpyFormatException("truncated .npy file: it ends inside the header length");
    }
    long headerLength = 0;
    for (int i = lengthBytes - 1; i >= 0; i--) {
      headerLength = (headerLength << 8) | (len[i] & 0xff);
    }
    long dataOffset = 8 + lengthBytes + headerLength;
    if (headerLength > MAX_HEADER_BYTES) {
      throw new NpyFormatException(
          "the header claims "
              + headerLength
              + " bytes, more than the "
              + MAX_HEADER_BYTES
              + " peerz reads: the file is corrupt or not written by NumPy");
    }
    if (dataOffset > fileSize) {
      throw new NpyFormatException(
          "the header claims "
              + headerLength
              + " bytes but the file has only "
              + fileSize
              + " bytes: it lies about its size or the file is truncated");
    }
    byte[] text = in.readNBytes((int) headerLength);
    if (text.length < headerLength) {
      throw new NpyFormatException("truncated .npy file: it ends inside the header");
    }
    String dict =
        new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Header h = parseDict(dict, major, minor, dataOffset);
    long body = fileSize - dataOffset;
    long want;
    try {
      want = h.dataBytes();
    } catch (ArithmeticException e) {
      throw new NpyFormatException("the shape " + h.shapeText() + " overflows 64-bit sizes");
    }
    if (body < want) {
      throw new NpyFormatException(
          "truncated body: shape "
              + h.shapeText()
              + " of "
              + h.dtype().numpyName()
              + " needs "
              + want
              + " bytes after the header, the file has "
              + body);
    }
    if (body > want) {
      throw new NpyFormatException(
          "oversized body: shape "
              + h.shapeText()
              + " of "
              + h.dtype().numpyName()
              + " needs "
              + want
              + " bytes after the header, the file has "
              + (body - want)
              + " more");
    }
    return h;
  }

  /** Reads a 2-D int8 array (any byte order, C or Fortran order) as a row-major matrix. */
  public static Int8Matrix readInt8(Path file) throws IOException, NpyFormatException {
    Header h = readHeader(file);
    int[] rc = matrixShape(h, NpyDtype.INT8);
    byte[] body = readBody(file, h);
    return new Int8Matrix(rc[0], rc[1], h.fortranOrder() ? transpose(body, rc[1], rc[0]) : body);
  }

  /** Reads a 2-D int32 array (little- or big-endian, C or Fortran order) as a row-major matrix. */
  public static Int32Matrix readInt32(Path file) throws IOException, NpyFormatException {
    Header h = readHeader(file);
    int[] rc = matrixShape(h, NpyDtype.INT32);
    byte[] body = readBody(file, h);
    int[] values = new int[rc[0] * rc[1]];
    ByteBuffer.wrap(body)
        .order(h.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
        .asIntBuffer()
        .get(values);
    if (h.fortranOrder()) {
      int[] rowMajor = new int[values.length];
      int rows = rc[0];
      int cols = rc[1];
      for (int c = 0; c < cols; c++) {
        for (int r = 0; r < rows; r++) {
          rowMajor[r * cols + c] = values[c * rows + r];
        }
      }
      values = rowMajor;
    }
    return new Int32Matrix(rc[0], rc[1], values);
  }

  /** Writes {@code m} as numpy.save would: version 1.0, '|i1', C order. */
  public static void writeInt8(Path file, Int8Matrix m) throws IOException {
    byte[] header = header("|i1", m.rows(), m.cols());
    try (OutputStream out = newOutput(file)) {
      out.write(header);
      out.write(m.data());
    }
  }

  /** Writes {@code m} as numpy.save would: version 1.0, '<i4', C order. */
  public static void writeInt32(Path file, Int32Matrix m) throws IOException {
    byte[] header = header("<i4", m.rows(), m.cols());
    try (OutputStream out = newOutput(file)) {
      out.write(header);
      int rowBytes = 4 * m.cols();
      for (int r = 0; r < m.rows(); r++) {
        out.write(MatrixCommitment.littleEndian(m.data(), r * m.cols(), m.cols()), 0, rowBytes);
      }
    }
  }

  /** The version 1.0 header numpy.save writes for a 2-D C-order array. */
  static byte[] header(String descr, int rows, int cols) {
    String dict =
        "{'descr': '"
            + descr
            + "', 'fortran_order': False, 'shape': ("
            + rows
            + ", "
            + cols
            + "), }";
    int unpadded = 10 + dict.length() + 1;
    int padded = (unpadded + 63) / 64 * 64;
    String text = dict + " ".repeat(padded - unpadded) + "\n";
    byte[] body = text.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[10 + body.length];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    out[6] = 1;
    out[7] = 0;
    out[8] = (byte) body.length;
    out[9] = (byte) (body.length >>> 8);
    System.arraycopy(body, 0, out, 10, body.length);
    return out;
  }

  private static OutputStream newOutput(Path file) throws IOException {
    return new java.io.BufferedOutputStream(
        Files.newOutputStream(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE),
        1 << 16);
  }

  private static int[] matrixShape(Header h, NpyDtype want) throws NpyFormatException {
    if (h.dtype() != want) {
      throw new NpyFormatException(
          "dtype is "
              + h.dtype().numpyName()
              + ", expected "
              + want.numpyName()
              + " (convert with a.astype(np."
              + want.numpyName()
              + "))");
    }
    if (h.shape().length != 2) {
      throw new NpyFormatException(
          "shape " + h.shapeText() + " is not a matrix: expected 2 dimensions (rows, cols)");
    }
    long rows = h.shape()[0];
    long cols = h.shape()[1];
    if (rows == 0 || cols == 0) {
      throw new NpyFormatException("shape " + h.shapeText() + " has no entries");
    }
    if (rows > Integer.MAX_VALUE
        || cols > Integer.MAX_VALUE
        || rows * cols > Integer.MAX_VALUE - 8) {
      throw new NpyFormatException("shape " + h.shapeText() + " is too large for one matrix");
    }
    return new int[] {(int) rows, (int) cols};
  }

  private static byte[] readBody(Path file, Header h) throws IOException {
    byte[] body = new byte[(int) h.dataBytes()];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.wrap(body);
      long at = h.dataOffset();
      while (buf.hasRemaining()) {
        int n = ch.read(buf, at);
        if (n < 0) {
          throw new IOException(file + " shrank while it was read");
        }
        at += n;
      }
    }
    return body;
  }

  /** A row-major rows x cols matrix of the column-major (Fortran) {@code data}. */
  private static byte[] transpose(byte[] data, int cols, int rows) {
    byte[] out = new byte[data.length];
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < rows; r++) {
        out[r * cols + c] = data[c * rows + r];
      }
    }
    return out;
  }

  private static boolean startsWithMagic(byte[] b) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (b[i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  private static Header parseDict(String text, int major, int minor, long dataOffset)
      throws NpyFormatException {
    Map<String, Object> dict = new Literal(text).dict();
    for (String key : dict.keySet()) {
      if (!key.equals("descr") && !key.equals("fortran_order") && !key.equals("shape")) {
        throw new NpyFormatException("header has an unknown key '" + key + "'");
      }
    }
    if (!(dict.get("descr") instanceof String descr)) {
      throw new NpyFormatException(
          "header's 'descr' is missing or not a string (structured dtypes are not supported)");
    }
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw new NpyFormatException("header's 'fortran_order' is missing or not True/False");
    }
    if (!(dict.get("shape") instanceof long[] shape)) {
      throw new NpyFormatException("header's 'shape' is missing or not a tuple of integers");
    }
    if (descr.length() < 2) {
      throw new NpyFormatException("dtype '" + descr + "' is not one peerz reads");
    }
    char order = descr.charAt(0);
    String type = descr;
    if (order == '<' || order == '>' || order == '|') {
      type = descr.substring(1);
    } else {
      order = '|';
    }
    NpyDtype dtype =
        type.length() == 2 && Character.isDigit(type.charAt(1))
            ? NpyDtype.of(type.charAt(0), type.charAt(1) - '0')
            : null;
    if (dtype == null) {
      throw new NpyFormatException(
          "dtype '"
              + descr
              + "' is not one peerz reads (int8, uint8, int16, int32, int64, float32, float64)");
    }
    if (order == '|' && dtype.size() > 1) {
      throw new NpyFormatException("dtype '" + descr + "' has no byte order ('<' or '>')");
    }
    return new Header(major, minor, dtype, order == '>', fortran, shape, dataOffset);
  }

  /** A reader of the Python literals a .npy header holds: dict, str, True/False, int tuple. */
  private static final class Literal {
    private final String s;
    private int at;

    Literal(String s) {
      this.s = s;
    }

    Map<String, Object> dict() throws NpyFormatException {
      skip();
      expect('{');
      Map<String, Object> out = new LinkedHashMap<>();
      skip();
      while (peek() != '}') {
        String key = string();
        skip();
        expect(':');
        skip();
        Object value = value();
        if (out.put(key, value) != null) {
          throw new NpyFormatException("header repeats the key '" + key + "'");
        }
        skip();
        if (peek() == ',') {
          at++;
          skip();
        } else if (peek() != '}') {
          throw fail("',' or '}'");
        }
      }
      at++;
      skip();
      if (at != s.length()) {
        throw new NpyFormatException("header has text after its dict: '" + rest() + "'");
      }
      return out;
    }

    private Object value() throws NpyFormatException {
      char c = peek();
      if (c == '\'' || c == '"') {
        return string();
      }
      if (c == '(') {
        return tuple();
      }
      if (s.startsWith("True", at)) {
        at += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("False", at)) {
        at += 5;
        return Boolean.FALSE;
      }
      throw fail("a string, a tuple, True or False");
    }

    private long[] tuple() throws NpyFormatException {
      expect('(');
      List<Long> dims = new ArrayList<>();
      skip();
      while (peek() != ')') {
        int from = at;
        while (at < s.length() && Character.isDigit(s.charAt(at))) {
          at++;
        }
        if (from == at || at - from > 18) {
          throw fail("a non-negative integer dimension");
        }
        dims.add(Long.parseLong(s.substring(from, at)));
        skip();
        if (peek() == ',') {
          at++;
          skip();
        } else if (peek() != ')') {
          throw fail("',' or ')'");
        }
      }
      at++;
      long[] out = new long[dims.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = dims.get(i);
      }
      return out;
    }

    private String string() throws NpyFormatException {
      char q = peek();
      if (q != '\'' && q != '"') {
        throw fail("a quoted string");
      }
      int end = s.indexOf(q, at + 1);
      if (end < 0) {
        throw fail("the end of a string");
      }
      String out = s.substring(at + 1, end);
      at = end + 1;
      return out;
    }

    private void skip() {
      while (at < s.length() && (s.charAt(at) == ' ' || s.charAt(at) == '\n')) {
        at++;
      }
    }

    private char peek() throws NpyFormatException {
      if (at >= s.length()) {
        throw new NpyFormatException("header ends before its dict is complete");
      }
      return s.charAt(at);
    }

    private void expect(char c) throws NpyFormatException {
      if (peek() != c) {
        throw fail("'" + c + "'");
      }
      at++;
    }

    private NpyFormatException fail(String wanted) {
      return new NpyFormatException(
          String.format(
              Locale.ROOT, "header is not a valid dict: expected %s at '%s'", wanted, rest()));
    }

    private String rest() {
      String r = s.substring(Math.min(at, s.length()));
      return r.length() > 30 ? r.substring(0, 30) + "..." : r;
    }
  }
}
