package io.peerz.attest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Hugging Face {@code .safetensors} format: an 8-byte little-endian header length N, N bytes of
 * a UTF-8 JSON object (each tensor's {@code dtype}, {@code shape} and {@code data_offsets [begin,
 * end)} into the data section, and an optional {@code __metadata__} of strings), then the data
 * section, tensors little-endian in C order.
 *
 * <p>Reading is as strict as the format's own library and stricter: a header length beyond {@link
 * #MAX_HEADER_BYTES} or the file, a header that is not UTF-8 or not one JSON object (duplicate
 * keys, fractions, trailing text other than the spaces writers pad with), a tensor entry with
 * missing or extra fields, an unknown dtype, offsets that do not match the shape, and tensors that
 * overlap, leave holes or do not end exactly at the end of the file are each an error that says so.
 */
public final class SafetensorsFile {
  /** Largest header accepted: the safetensors library's own limit. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /** The largest file read into memory (one Java array). */
  public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

  private static final String METADATA = "__metadata__";

  private final Map<String, String> metadata;
  private final Map<String, Tensor> tensors;

  /**
   * One tensor: its name, element type, shape and bytes (little-endian, C order; the array is kept
   * by reference).
   */
  public record Tensor(String name, SafetensorsDtype dtype, long[] shape, byte[] data) {
    /** Checks that data holds exactly the bytes the shape and dtype need. */
    public Tensor {
      long bytes = bytes(dtype, shape);
      if (bytes < 0 || bytes != data.length) {
        throw new IllegalArgumentException(
            "tensor "
                + name
                + " of shape "
                + shapeText(shape)
                + " holds "
                + data.length
                + " bytes");
      }
    }

    /** The number of elements: the product of the shape (1 for a scalar). */
    public long elements() {
      return elements(shape);
    }

    /** e.g. "[64, 10]", "[]". */
    public String shapeText() {
      return shapeText(shape);
    }

    static long elements(long[] shape) {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }

    /**
     * Bytes of a tensor of this shape, or -1 when a dimension is negative or the size overflows.
     */
    static long bytes(SafetensorsDtype dtype, long[] shape) {
      try {
        for (long d : shape) {
          if (d < 0) {
            return -1;
          }
        }
        return Math.multiplyExact(elements(shape), dtype.size());
      } catch (ArithmeticException e) {
        return -1;
      }
    }

    static String shapeText(long[] shape) {
      return Arrays.toString(shape);
    }
  }

  private SafetensorsFile(Map<String, String> metadata, Map<String, Tensor> tensors) {
    this.metadata = Collections.unmodifiableMap(metadata);
    this.tensors = Collections.unmodifiableMap(tensors);
  }

  /** Reads and checks {@code file}. */
  public static SafetensorsFile read(Path file) throws IOException, SafetensorsFormatException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new SafetensorsFormatException(
          "the file is " + size + " bytes; peerz reads .safetensors files up to " + MAX_FILE_BYTES);
    }
    return parse(Files.readAllBytes(file));
  }

  /** Parses and checks the bytes of a whole file. */
  public static SafetensorsFile parse(byte[] file) throws SafetensorsFormatException {
    if (file.length < 8) {
      throw new SafetensorsFormatException(
          "not a .safetensors file: "
              + file.length
              + " bytes, fewer than the 8-byte header length it starts with");
    }
    long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
      throw new SafetensorsFormatException(
          "the header length is "
              + Long.toUnsignedString(headerLength)
              + " bytes, more than the "
              + MAX_HEADER_BYTES
              + " a .safetensors header may have: the file is corrupt or not .safetensors");
    }
    if (8 + headerLength > file.length) {
      throw new SafetensorsFormatException(
          "the header length says "
              + headerLength
              + " bytes but only "
              + (file.length - 8)
              + " follow: the file lies about its header or is truncated");
    }
    int dataStart = 8 + (int) headerLength;
    if (headerLength == 0 || file[8] != '{') {
      throw new SafetensorsFormatException(
          "the header does not start with '{': it is not the JSON object of a .safetensors file");
    }
    String text;
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(file, 8, (int) headerLength));
      text = chars.toString();
    } catch (CharacterCodingException e) {
      throw new SafetensorsFormatException("the header is not valid UTF-8");
    }
    Object json;
    try {
      json = StrictJson.parse(text);
    } catch (IllegalArgumentException e) {
      throw new SafetensorsFormatException("the header is not valid JSON: " + e.getMessage());
    }
    if (!(json instanceof Map<?, ?> header)) {
      throw new SafetensorsFormatException("the header is not a JSON object");
    }
    Map<String, String> metadata = new TreeMap<>();
    List<Span> spans = new ArrayList<>();
    for (Map.Entry<?, ?> e : header.entrySet()) {
      String name = (String) e.getKey();
      if (name.equals(METADATA)) {
        metadata.putAll(metadata(e.getValue()));
      } else {
        spans.add(span(name, e.getValue()));
      }
    }
    long dataLength = file.length - (long) dataStart;
    spans.sort(Comparator.comparingLong(Span::begin).thenComparingLong(Span::end));
    long expected = 0;
    for (Span s : spans) {
      if (s.begin != expected) {
        throw new SafetensorsFormatException(
            "tensor "
                + s.name
                + " begins at byte "
                + s.begin
                + " of the data, expected "
                + expected
                + (s.begin < expected
                    ? ": it overlaps the tensor before it"
                    : ": a hole before it"));
      }
      expected = s.end;
    }
    if (expected != dataLength) {
      throw new SafetensorsFormatException(
          "the tensors cover "
              + expected
              + " bytes but the data section after the header is "
              + dataLength
              + " bytes"
              + (expected > dataLength ? ": the file is truncated" : ": extra bytes at the end"));
    }
    Map<String, Tensor> tensors = new TreeMap<>();
    for (Span s : spans) {
      byte[] data = Arrays.copyOfRange(file, dataStart + (int) s.begin, dataStart + (int) s.end);
      tensors.put(s.name, new Tensor(s.name, s.dtype, s.shape, data));
    }
    return new SafetensorsFile(metadata, tensors);
  }

  /** The {@code __metadata__} strings, by key. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Every tensor, by name. */
  public Map<String, Tensor> tensors() {
    return tensors;
  }

  /**
   * The file of these tensors and metadata: header keys {@code __metadata__} first (when there is
   * any) then the tensors in name order, data in the same order with no gaps, the header padded
   * with spaces to a multiple of 8 bytes as the safetensors library writes it.
   */
  public static byte[] write(Map<String, String> metadata, List<Tensor> tensors) {
    List<Tensor> sorted = new ArrayList<>(tensors);
    sorted.sort(Comparator.comparing(Tensor::name));
    StringBuilder json = new StringBuilder("{");
    if (!metadata.isEmpty()) {
      json.append(quote(METADATA)).append(":{");
      boolean first = true;
      for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
        json.append(first ? "" : ",").append(quote(e.getKey())).append(':');
        json.append(quote(e.getValue()));
        first = false;
      }
      json.append('}');
    }
    long at = 0;
    String previous = null;
    for (Tensor t : sorted) {
      if (t.name().equals(METADATA) || t.name().equals(previous)) {
        throw new IllegalArgumentException("tensor name " + t.name() + " is reserved or repeated");
      }
      previous = t.name();
      json.append(json.length() == 1 ? "" : ",").append(quote(t.name())).append(":{");
      json.append("\"dtype\":").append(quote(t.dtype().name()));
      json.append(",\"shape\":[");
      for (int i = 0; i < t.shape().length; i++) {
        json.append(i == 0 ? "" : ",").append(t.shape()[i]);
      }
      json.append("],\"data_offsets\":[").append(at).append(',');
      at += t.data().length;
      json.append(at).append("]}");
    }
    json.append('}');
    byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (header.length + 7) / 8 * 8;
    long total = 8L + padded + at;
    if (total > MAX_FILE_BYTES) {
      throw new IllegalArgumentException("a file of " + total + " bytes is too large to build");
    }
    ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded).put(header);
    for (int i = header.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    for (Tensor t : sorted) {
      out.put(t.data());
    }
    return out.array();
  }

  private record Span(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {}

  private static Map<String, String> metadata(Object value) throws SafetensorsFormatException {
    if (!(value instanceof Map<?, ?> map)) {
      throw new SafetensorsFormatException(METADATA + " must be an object of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw new SafetensorsFormatException(
            METADATA + "." + e.getKey() + " must be a string, as every metadata value");
      }
      out.put((String) e.getKey(), s);
    }
    return out;
  }

  private static Span span(String name, Object value) throws SafetensorsFormatException {
    if (!(value instanceof Map<?, ?> info)) {
      throw new SafetensorsFormatException("tensor " + name + " must be an object");
    }
    for (Object key : info.keySet()) {
      if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
        throw new SafetensorsFormatException(
            "tensor " + name + " has the unknown field \"" + key + "\"");
      }
    }
    if (!(info.get("dtype") instanceof String dtypeName)) {
      throw new SafetensorsFormatException("tensor " + name + " needs a dtype string");
    }
    SafetensorsDtype dtype = SafetensorsDtype.named(dtypeName);
    if (dtype == null) {
      throw new SafetensorsFormatException(
          "tensor "
              + name
              + " has the unknown dtype \""
              + dtypeName
              + "\"; known: "
              + SafetensorsDtype.known());
    }
    long[] shape = counts(name, "shape", info.get("shape"), -1);
    long[] offsets = counts(name, "data_offsets", info.get("data_offsets"), 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (end < begin) {
      throw new SafetensorsFormatException(
          "tensor " + name + " ends (byte " + end + ") before it begins (byte " + begin + ")");
    }
    long bytes = Tensor.bytes(dtype, shape);
    if (bytes < 0) {
      throw new SafetensorsFormatException(
          "tensor " + name + " has a shape " + Tensor.shapeText(shape) + " whose size overflows");
    }
    if (end - begin != bytes) {
      throw new SafetensorsFormatException(
          "tensor "
              + name
              + " spans "
              + (end - begin)
              + " bytes but its shape "
              + Tensor.shapeText(shape)
              + " of "
              + dtype
              + " needs "
              + bytes);
    }
    return new Span(name, dtype, shape, begin, end);
  }

  /** A JSON array of non-negative integers ({@code length} of them, or any number when -1). */
  private static long[] counts(String name, String field, Object value, int length)
      throws SafetensorsFormatException {
    if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
      throw new SafetensorsFormatException(
          "tensor "
              + name
              + " needs "
              + field
              + " as an array of "
              + (length >= 0 ? length + " " : "")
              + "non-negative integers");
    }
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Long v) || v < 0) {
        throw new SafetensorsFormatException(
            "tensor " + name + " has " + field + " entry " + list.get(i) + ", not a count");
      }
      out[i] = v;
    }
    return out;
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
