package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java mlp-int8 implementation (SafetensorsFile, QuantizedMlp, Requantization, CpuGemm,
 * ModelCommitment) against the independent NumPy reference, models/reference.py, run as a process:
 * on random models and inputs and on the shipped digits model, every layer's accumulators and
 * outputs and the model root agree bit for bit, and both reject the same bad files. The reference's
 * pinned NumPy is installed by models/python-env.sh (pip from PyPI, once per requirements file).
 */
class QuantizedMlpReferenceIT {
  private static final long SEED = 0x5EED_16L;
  private static final long INSTALL_SECONDS = 600;
  private static final long RUN_SECONDS = 300;

  private static Path repo;
  private static String pythonPath;

  @BeforeAll
  static void installReference(@TempDir Path tmp) throws Exception {
    repo = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (!Files.exists(repo.resolve("models/reference.py"))) {
      repo = repo.getParent();
      assertThat(repo).as("a folder above the module with models/reference.py").isNotNull();
    }
    List<String> out = run(tmp, INSTALL_SECONDS, null, "bash", "models/python-env.sh");
    pythonPath = out.get(out.size() - 1).trim();
    assertThat(Path.of(pythonPath).resolve("numpy")).isDirectory();
  }

  @Test
  void requantizationGivesTheReferenceBitsOnTiesBoundsAndRandomValues(@TempDir Path dir)
      throws Exception {
    int n = 200_000;
    int[] acc = new int[n];
    int[] multiplier = new int[n];
    int[] shift = new int[n];
    int[] zero = new int[n];
    int[] act = new int[n];
    SplittableRandom r = new SplittableRandom(SEED);
    for (int i = 0; i < n; i++) {
      switch (i % 6) {
        case 0 -> { // anything
          shift[i] = r.nextInt(-31, 1);
          multiplier[i] = r.nextInt(Requantization.MIN_MULTIPLIER, Integer.MAX_VALUE);
          acc[i] = r.nextInt();
        }
        case 1 -> { // ties of the high multiply: odd x times 2^30 is x/2 exactly
          multiplier[i] = Requantization.MIN_MULTIPLIER;
          shift[i] = r.nextInt(-2, 1);
          acc[i] = 2 * r.nextInt(-400, 400) + 1;
        }
        case 2 -> { // the same with 3 x 2^29 and x = 2 mod 4
          multiplier[i] = 3 << 29;
          shift[i] = r.nextInt(-2, 1);
          acc[i] = 4 * r.nextInt(-150, 150) + 2;
        }
        case 3 -> { // ties of the division: x = k 2^e + 2^(e-1) through a multiplier near 1
          multiplier[i] = Integer.MAX_VALUE;
          int e = r.nextInt(1, 32);
          shift[i] = -e;
          long k = r.nextLong(-(1L << (31 - e)), 1L << (31 - e));
          acc[i] =
              (int)
                  Math.max(
                      Integer.MIN_VALUE + 1,
                      Math.min(
                          Integer.MAX_VALUE,
                          k * (1L << e) + (1L << (e - 1)) - (r.nextBoolean() ? 0 : 1L << e)));
        }
        case 4 -> { // left shifts up to the largest accumulator they allow
          shift[i] = r.nextInt(1, 31);
          multiplier[i] = r.nextInt(Requantization.MIN_MULTIPLIER, Integer.MAX_VALUE);
          int limit = Integer.MAX_VALUE >> shift[i];
          acc[i] =
              r.nextBoolean() ? (r.nextBoolean() ? limit : -limit) : r.nextInt(-limit, limit + 1);
        }
        default -> { // the ends of every range
          shift[i] = r.nextBoolean() ? 0 : -31;
          multiplier[i] = r.nextBoolean() ? Integer.MAX_VALUE : Requantization.MIN_MULTIPLIER;
          acc[i] = r.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        }
      }
      zero[i] = RandomModels.zeroPoint(r);
      act[i] = r.nextInt(2);
    }
    List<SafetensorsFile.Tensor> in = new ArrayList<>();
    in.add(int32Tensor("accumulators", new long[] {n}, acc));
    in.add(int32Tensor("multipliers", new long[] {n}, multiplier));
    in.add(int32Tensor("shifts", new long[] {n}, shift));
    in.add(int32Tensor("output_zero_points", new long[] {n}, zero));
    in.add(int32Tensor("activations", new long[] {n}, act));
    Files.write(dir.resolve("in.safetensors"), SafetensorsFile.write(Map.of(), in));
    run(
        dir,
        RUN_SECONDS,
        pythonPath,
        "python3",
        repo.resolve("models/reference.py").toString(),
        "requantize",
        "in.safetensors",
        "out.safetensors");
    SafetensorsFile out = SafetensorsFile.read(dir.resolve("out.safetensors"));
    int[] scaled = new int[n];
    ByteBuffer.wrap(out.tensors().get("scaled").data())
        .order(ByteOrder.LITTLE_ENDIAN)
        .asIntBuffer()
        .get(scaled);
    byte[] outputs = out.tensors().get("outputs").data();
    for (int i = 0; i < n; i++) {
      String what =
          "accumulator "
              + acc[i]
              + ", multiplier "
              + multiplier[i]
              + ", shift "
              + shift[i]
              + ", zero point "
              + zero[i]
              + ", activation "
              + act[i];
      assertThat(Requantization.multiplyByQuantizedMultiplier(acc[i], multiplier[i], shift[i]))
          .as(what)
          .isEqualTo(scaled[i]);
      assertThat(
              Requantization.requantize(
                  acc[i], multiplier[i], shift[i], zero[i], Activation.ofCode(act[i])))
          .as(what)
          .isEqualTo(outputs[i]);
    }
  }

  @Test
  void randomModelsAndInputsGiveTheReferenceBitsInEveryLayer(@TempDir Path dir) throws Exception {
    int cases = 60;
    Map<String, List<QuantizedLayer.Result>> java = new LinkedHashMap<>();
    Map<String, QuantizedMlp> models = new LinkedHashMap<>();
    for (int c = 0; c < cases; c++) {
      SplittableRandom r = new SplittableRandom(SEED + c);
      // Mostly small layers; every fifth case wide enough for CpuGemm's 512-column tiles.
      QuantizedMlp model = RandomModels.model(r, c % 5 == 4 ? 600 : 40);
      int rows = 1 + r.nextInt(c % 5 == 4 ? 4 : 17);
      byte[] input = RandomModels.input(r, rows, model.inputFeatures());
      String name = "case" + c;
      Files.write(dir.resolve(name + ".model.safetensors"), model.toSafetensors(Map.of()));
      NpyFile.writeInt8(
          dir.resolve(name + ".input.npy"), new Int8Matrix(rows, model.inputFeatures(), input));
      java.put(name, model.forward(rows, input, CpuGemm::multiply));
      models.put(name, model);
    }
    run(
        dir,
        RUN_SECONDS,
        pythonPath,
        "python3",
        repo.resolve("models/reference.py").toString(),
        "cases",
        ".");
    for (String name : java.keySet()) {
      assertThat(dir.resolve(name + ".error.txt"))
          .as(name + " (seed " + seedOf(name) + ")")
          .doesNotExist();
      assertAgree(
          name + " (seed " + seedOf(name) + ")",
          models.get(name),
          java.get(name),
          SafetensorsFile.read(dir.resolve(name + ".result.safetensors")));
    }
  }

  @Test
  void bothRejectEachBadModelAndInput(@TempDir Path dir) throws Exception {
    SplittableRandom r = new SplittableRandom(SEED);
    QuantizedLayer first = RandomModels.layer(r, 6, 5, -3);
    QuantizedMlp two =
        new QuantizedMlp(List.of(first, RandomModels.layer(r, 5, 4, first.outputZeroPoint())));
    Map<String, byte[]> bad = new LinkedHashMap<>();
    bad.put("weight -128", mutate(two, "layers.0.weight", d -> set(d, 7, (byte) -128)));
    bad.put("shift 31", mutate(two, "layers.1.shift", d -> int32(d, 0, 31)));
    bad.put("shift -32", mutate(two, "layers.0.shift", d -> int32(d, 0, -32)));
    bad.put(
        "multiplier below 2^30",
        mutate(two, "layers.0.multiplier", d -> int32(d, 0, (1 << 30) - 1)));
    bad.put("negative multiplier", mutate(two, "layers.1.multiplier", d -> int32(d, 0, -5)));
    bad.put(
        "input zero point 128", mutate(two, "layers.0.input_zero_point", d -> int32(d, 0, 128)));
    bad.put(
        "output zero point -129",
        mutate(two, "layers.1.output_zero_point", d -> int32(d, 0, -129)));
    bad.put("activation 2", mutate(two, "layers.1.activation", d -> int32(d, 0, 2)));
    bad.put(
        "bias overflows",
        mutate(
            mutate(two, "layers.0.bias", d -> int32(d, 0, Integer.MAX_VALUE)),
            "layers.0.weight",
            d -> set(d, 0, (byte) 1)));
    bad.put(
        "zero points do not chain",
        mutate(
            two,
            "layers.1.input_zero_point",
            d -> int32(d, 0, two.layers().get(0).outputZeroPoint() ^ 1)));
    bad.put("missing tensor", without(two, "layers.1.bias"));
    bad.put("unknown tensor", with(two, int32Tensor("layers.0.scale", new long[0], 7)));
    bad.put("layer gap", rename(two, "layers.1.", "layers.2."));
    bad.put(
        "activation not I32",
        replace(
            two,
            new SafetensorsFile.Tensor(
                "layers.0.activation", SafetensorsDtype.I8, new long[0], new byte[] {1})));
    bad.put(
        "bias of the wrong length",
        replace(two, int32Tensor("layers.0.bias", new long[] {4}, 1, 2, 3, 4)));
    bad.put(
        "shapes do not chain",
        replace(
            two,
            new SafetensorsFile.Tensor(
                "layers.1.weight", SafetensorsDtype.I8, new long[] {4, 6}, new byte[24])));
    byte[] good = two.toSafetensors(Map.of());
    byte[] lying = good.clone();
    lying[0] += 8;
    bad.put("header longer than it is", lying);
    byte[] truncated = Arrays.copyOf(good, good.length - 1);
    bad.put("truncated data", truncated);
    byte[] overlapping =
        new String(good, StandardCharsets.ISO_8859_1)
            .replaceFirst("\"data_offsets\":\\[0,", "\"data_offsets\":[1,")
            .getBytes(StandardCharsets.ISO_8859_1);
    bad.put("offsets off by one", overlapping);

    for (Map.Entry<String, byte[]> e : bad.entrySet()) {
      String name = caseName(e.getKey());
      Files.write(dir.resolve(name + ".model.safetensors"), e.getValue());
      NpyFile.writeInt8(dir.resolve(name + ".input.npy"), new Int8Matrix(2, 6, new byte[12]));
      assertThatThrownBy(() -> QuantizedMlp.parse(e.getValue()))
          .as(e.getKey())
          .isInstanceOf(ModelFormatException.class);
    }
    Files.write(dir.resolve("features.model.safetensors"), good);
    NpyFile.writeInt8(dir.resolve("features.input.npy"), new Int8Matrix(2, 7, new byte[14]));
    assertThatThrownBy(() -> two.forward(2, new byte[14], CpuGemm::multiply))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("6 features");

    run(
        dir,
        RUN_SECONDS,
        pythonPath,
        "python3",
        repo.resolve("models/reference.py").toString(),
        "cases",
        ".");
    for (String key : bad.keySet()) {
      assertThat(dir.resolve(caseName(key) + ".error.txt")).as(key).exists();
      assertThat(dir.resolve(caseName(key) + ".result.safetensors")).as(key).doesNotExist();
    }
    assertThat(dir.resolve("features.error.txt")).exists();
  }

  @Test
  void theShippedModelGivesTheReferenceBitsAndClassifiesTheTestDigits(@TempDir Path dir)
      throws Exception {
    Path modelFile = repo.resolve("models/digits-mlp-int8.safetensors");
    Path images = repo.resolve("models/digits-test-images.npy");
    QuantizedMlp model = QuantizedMlp.read(modelFile);
    int[] shape = new int[2];
    Int8Matrix x = NpyFile.readInt8(images);
    byte[] input = x.data();
    shape[0] = x.rows();
    shape[1] = x.cols();
    long[] labels = int64s(repo.resolve("models/digits-test-labels.npy"));
    assertThat(shape).containsExactly(200, 64);
    assertThat(labels).hasSize(200);
    List<QuantizedLayer.Result> java = model.forward(shape[0], input, CpuGemm::multiply);

    run(
        dir,
        RUN_SECONDS,
        pythonPath,
        "python3",
        repo.resolve("models/reference.py").toString(),
        "run",
        modelFile.toString(),
        images.toString(),
        dir.resolve("result.safetensors").toString());
    assertAgree(
        "the shipped model", model, java, SafetensorsFile.read(dir.resolve("result.safetensors")));

    QuantizedLayer.Result logits = java.get(java.size() - 1);
    int right = 0;
    for (int i = 0; i < shape[0]; i++) {
      int best = 0;
      for (int j = 1; j < logits.cols(); j++) {
        if (logits.outputs()[i * logits.cols() + j] > logits.outputs()[i * logits.cols() + best]) {
          best = j;
        }
      }
      right += best == labels[i] ? 1 : 0;
    }
    // The training script measured 0.975 on these 200 images; a broken model or reader would be
    // near chance (0.1).
    assertThat(right).isGreaterThanOrEqualTo(190);
  }

  private static void assertAgree(
      String what,
      QuantizedMlp model,
      List<QuantizedLayer.Result> java,
      SafetensorsFile reference) {
    assertThat(reference.metadata().get("model_root"))
        .as(what + ": model root")
        .isEqualTo(HexFormat.of().formatHex(ModelCommitment.of(model).root()));
    for (int l = 0; l < java.size(); l++) {
      QuantizedLayer.Result r = java.get(l);
      SafetensorsFile.Tensor acc = reference.tensors().get("layers." + l + ".accumulators");
      SafetensorsFile.Tensor out = reference.tensors().get("layers." + l + ".outputs");
      assertThat(acc.shape()).as(what + " layer " + l).containsExactly(r.rows(), r.cols());
      int[] refAcc = new int[r.rows() * r.cols()];
      ByteBuffer.wrap(acc.data()).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(refAcc);
      assertThat(refAcc).as(what + ": layer " + l + " accumulators").isEqualTo(r.accumulators());
      assertThat(out.data()).as(what + ": layer " + l + " outputs").isEqualTo(r.outputs());
    }
    assertThat(reference.tensors()).hasSize(2 * java.size());
  }

  /** The entries of a 1-D int64 .npy file (the labels numpy.save wrote). */
  private static long[] int64s(Path file) throws IOException, NpyFormatException {
    NpyFile.Header h = NpyFile.readHeader(file);
    assertThat(h.dtype()).isEqualTo(NpyDtype.INT64);
    assertThat(h.shape()).hasSize(1);
    byte[] all = Files.readAllBytes(file);
    long[] out = new long[(int) h.shape()[0]];
    ByteBuffer.wrap(all, (int) h.dataOffset(), 8 * out.length)
        .order(h.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
        .asLongBuffer()
        .get(out);
    return out;
  }

  private static long seedOf(String caseName) {
    return SEED + Integer.parseInt(caseName.substring(4));
  }

  private static String caseName(String key) {
    return key.replaceAll("[^a-z0-9]+", "-");
  }

  // ---- building bad files from a good model's tensors

  private static List<SafetensorsFile.Tensor> tensors(QuantizedMlp model) {
    return new ArrayList<>(model.tensors());
  }

  private static byte[] mutate(QuantizedMlp model, String name, UnaryOperator<byte[]> change) {
    return mutate(model.toSafetensors(Map.of()), name, change);
  }

  /** The file with tensor {@code name}'s bytes changed (the file's own tensors, unchecked). */
  private static byte[] mutate(byte[] file, String name, UnaryOperator<byte[]> change) {
    List<SafetensorsFile.Tensor> out = new ArrayList<>();
    SafetensorsFile parsed;
    try {
      parsed = SafetensorsFile.parse(file);
    } catch (SafetensorsFormatException e) {
      throw new IllegalStateException(e);
    }
    for (SafetensorsFile.Tensor t : parsed.tensors().values()) {
      out.add(
          t.name().equals(name)
              ? new SafetensorsFile.Tensor(
                  name, t.dtype(), t.shape(), change.apply(t.data().clone()))
              : t);
    }
    return SafetensorsFile.write(Map.of(), out);
  }

  private static byte[] without(QuantizedMlp model, String name) {
    List<SafetensorsFile.Tensor> out = tensors(model);
    assertThat(out.removeIf(t -> t.name().equals(name))).isTrue();
    return SafetensorsFile.write(Map.of(), out);
  }

  private static byte[] with(QuantizedMlp model, SafetensorsFile.Tensor extra) {
    List<SafetensorsFile.Tensor> out = tensors(model);
    out.add(extra);
    return SafetensorsFile.write(Map.of(), out);
  }

  private static byte[] replace(QuantizedMlp model, SafetensorsFile.Tensor replacement) {
    List<SafetensorsFile.Tensor> out = tensors(model);
    assertThat(out.removeIf(t -> t.name().equals(replacement.name()))).isTrue();
    out.add(replacement);
    return SafetensorsFile.write(Map.of(), out);
  }

  private static byte[] rename(QuantizedMlp model, String from, String to) {
    List<SafetensorsFile.Tensor> out = new ArrayList<>();
    for (SafetensorsFile.Tensor t : tensors(model)) {
      String name = t.name().startsWith(from) ? to + t.name().substring(from.length()) : t.name();
      out.add(new SafetensorsFile.Tensor(name, t.dtype(), t.shape(), t.data()));
    }
    return SafetensorsFile.write(Map.of(), out);
  }

  private static SafetensorsFile.Tensor int32Tensor(String name, long[] shape, int... values) {
    byte[] data = new byte[4 * values.length];
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(values);
    return new SafetensorsFile.Tensor(name, SafetensorsDtype.I32, shape, data);
  }

  private static byte[] set(byte[] data, int at, byte v) {
    data[at] = v;
    return data;
  }

  private static byte[] int32(byte[] data, int index, int v) {
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putInt(4 * index, v);
    return data;
  }

  /** Runs a command in {@code dir} to its end within {@code limit}; its output lines. */
  private static List<String> run(Path dir, long seconds, String pythonPath, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "process", ".log");
    ProcessBuilder b =
        new ProcessBuilder(command)
            .directory(pythonPath == null ? repo.toFile() : dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    if (pythonPath != null) {
      b.environment().put("PYTHONPATH", pythonPath);
    }
    Process p = b.start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " ran past " + seconds + " s");
    }
    List<String> lines = Files.readAllLines(log);
    assertThat(p.exitValue())
        .as(String.join(" ", command) + ":\n" + String.join("\n", lines))
        .isZero();
    return lines;
  }
}
