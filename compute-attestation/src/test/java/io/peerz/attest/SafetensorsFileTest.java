package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafetensorsFileTest {
  private static final SafetensorsFile.Tensor W =
      new SafetensorsFile.Tensor(
          "w", SafetensorsDtype.I8, new long[] {2, 3}, new byte[] {1, -2, 3, -4, 5, -6});
  private static final SafetensorsFile.Tensor B =
      new SafetensorsFile.Tensor(
          "b", SafetensorsDtype.I32, new long[] {2}, new byte[] {7, 0, 0, 0, -1, -1, -1, -1});
  private static final SafetensorsFile.Tensor S =
      new SafetensorsFile.Tensor("s", SafetensorsDtype.I32, new long[0], new byte[] {42, 0, 0, 0});

  @Test
  void aWrittenFileReadsBackWithItsTensorsAndMetadata() throws Exception {
    byte[] file = SafetensorsFile.write(Map.of("note", "a \"quoted\" line\n"), List.of(W, B, S));
    long header = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(header % 8).isZero();
    SafetensorsFile read = SafetensorsFile.parse(file);
    assertThat(read.metadata()).containsExactly(Map.entry("note", "a \"quoted\" line\n"));
    assertThat(read.tensors().keySet()).containsExactly("b", "s", "w");
    SafetensorsFile.Tensor w = read.tensors().get("w");
    assertThat(w.dtype()).isEqualTo(SafetensorsDtype.I8);
    assertThat(w.shape()).containsExactly(2, 3);
    assertThat(w.data()).containsExactly(1, -2, 3, -4, 5, -6);
    assertThat(read.tensors().get("s").shape()).isEmpty();
    assertThat(read.tensors().get("s").elements()).isEqualTo(1);
    assertThat(SafetensorsFile.write(read.metadata(), List.copyOf(read.tensors().values())))
        .isEqualTo(file);
  }

  @Test
  void theShippedModelWrittenByPythonReads() throws Exception {
    SafetensorsFile f = SafetensorsFile.read(repo().resolve("models/digits-mlp-int8.safetensors"));
    assertThat(f.tensors()).hasSize(14);
    assertThat(f.tensors().get("layers.0.weight").shape()).containsExactly(64, 64);
    assertThat(f.tensors().get("layers.1.weight").shape()).containsExactly(10, 64);
    assertThat(f.metadata()).containsKeys("input_scale", "int8_test_accuracy");
  }

  @Test
  void theHeaderMayBeIndentedAndPaddedAsOtherWritersDo() throws Exception {
    String json =
        "{\n  \"__metadata__\": {\"k\": \"v\"},\n  \"x\": {\"dtype\": \"U8\", \"shape\": [2],"
            + " \"data_offsets\": [0, 2]}\n}   ";
    SafetensorsFile f = SafetensorsFile.parse(file(json, new byte[] {9, 8}));
    assertThat(f.tensors().get("x").data()).containsExactly(9, 8);
    assertThat(f.metadata()).containsEntry("k", "v");
  }

  @Test
  void aZeroSizedTensorTakesNoBytes() throws Exception {
    String json =
        "{\"e\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[0,0]},"
            + "\"x\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    assertThat(SafetensorsFile.parse(file(json, new byte[] {1})).tensors()).hasSize(2);
  }

  @Test
  void eachMalformedFileIsRefusedWithWhatIsWrong() {
    String x = "\"x\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    byte[] eight = new byte[8];
    refused(new byte[5], "fewer than the 8-byte header length");
    refused(lengthThenBytes(1000, "{}"), "only 2 follow");
    refused(lengthThenBytes(200_000_000L, "{}"), "more than the 100000000");
    refused(lengthThenBytes(-1, "{}"), "more than the 100000000");
    refused(file("[1]", new byte[0]), "does not start with '{'");
    refused(file(" {}", new byte[0]), "does not start with '{'");
    byte[] latin1 = file("{\"\u00e9\":1}", new byte[0]);
    latin1[10] = (byte) 0xe9;
    latin1[11] = '"';
    refused(latin1, "not valid UTF-8");
    refused(file("{" + x, eight), "not valid JSON");
    refused(file("{" + x + "} x", eight), "after the value");
    refused(file("{" + x + "," + x + "}", eight), "appears twice");
    refused(
        file("{\"x\":{\"dtype\":\"I32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", eight),
        "fraction");
    refused(
        file("{\"x\":{\"dtype\":\"I4\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight),
        "unknown dtype \"I4\"");
    refused(file("{\"x\":{\"dtype\":\"I32\",\"data_offsets\":[0,8]}}", eight), "needs shape");
    refused(
        file("{\"x\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8],\"f\":1}}", eight),
        "unknown field \"f\"");
    refused(
        file("{\"x\":{\"dtype\":\"I32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", eight),
        "not a count");
    refused(
        file("{\"x\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0]}}", eight),
        "array of 2");
    refused(
        file("{\"x\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[8,0]}}", eight),
        "before it begins");
    refused(
        file("{\"x\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight),
        "needs 12");
    refused(
        file(
            "{\"x\":{\"dtype\":\"I32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}",
            eight),
        "overflows");
    refused(file("{" + x + "}", new byte[7]), "the file is truncated");
    refused(file("{" + x + "}", new byte[9]), "extra bytes at the end");
    refused(
        file("{\"x\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
        "a hole before it");
    refused(
        file("{" + x + ",\"y\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight),
        "overlaps");
    refused(file("{\"__metadata__\":{\"k\":1}}", new byte[0]), "must be a string");
    refused(file("{\"__metadata__\":[]}", new byte[0]), "object of strings");
    refused(file("{\"x\":[]}", new byte[0]), "must be an object");
    refused(file("{\"x\":" + "[".repeat(40) + "]".repeat(40) + "}", new byte[0]), "nested deeper");
  }

  @Test
  void theJsonReaderTakesEscapesAndRefusesWhatJsonDoesNot() {
    assertThat(StrictJson.parse("{\"a\\u00e9\\n\\\"\\\\\\/\":[true,false,null,-0,12]}"))
        .isEqualTo(Map.of("a\u00e9\n\"\\/", Arrays.asList(true, false, null, 0L, 12L)));
    for (String bad :
        List.of(
            "01",
            "-",
            "1e3",
            "\"\u0001\"",
            "\"\\x\"",
            "\"\\u12\"",
            "[1,]",
            "{\"a\" 1}",
            "tru",
            "99999999999999999999",
            "\"open")) {
      assertThatThrownBy(() -> StrictJson.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aTensorMustHoldTheBytesOfItsShape() {
    assertThatThrownBy(
            () ->
                new SafetensorsFile.Tensor("t", SafetensorsDtype.I32, new long[] {2}, new byte[7]))
        .hasMessageContaining("holds 7 bytes");
  }

  private static void refused(byte[] file, String message) {
    assertThatThrownBy(() -> SafetensorsFile.parse(file))
        .as(message)
        .isInstanceOf(SafetensorsFormatException.class)
        .hasMessageContaining(message);
  }

  private static byte[] file(String json, byte[] data) {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + header.length + data.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(header.length)
        .put(header)
        .put(data)
        .array();
  }

  private static byte[] lengthThenBytes(long length, String rest) {
    byte[] r = rest.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + r.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(length)
        .put(r)
        .array();
  }

  static Path repo() {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (!p.resolve("models").toFile().isDirectory()) {
      p = p.getParent();
    }
    return p;
  }
}
