package io.peerz.gpu;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The {@link Device} a {@link CudaBackend} drives in tests where there is no GPU:
 * src/main/cuda/device-on-cpu.cpp, built once with g++ into target/, runs the project's kernel
 * sources on the CPU (every CUDA thread a fiber, the warp-wide instructions emulated from their PTX
 * register layouts) and holds the device memory; this class speaks its pipe protocol. Streams run
 * in order and events measure nothing (0 ms).
 */
final class EmulatedDevice implements Device {
  static final Path SOURCES = Path.of("src/main/cuda");
  static final Path BINARY = Path.of("target/device-on-cpu/device-on-cpu");

  /** How cp.async copies land and in what order warps take turns (device-on-cpu.cpp, 'M'). */
  record Mode(boolean deferredCopies, boolean reversed, boolean greedy) {
    @Override
    public String toString() {
      return (deferredCopies ? "deferred" : "immediate")
          + " copies, "
          + (greedy ? "greedy" : "lockstep")
          + (reversed ? " reversed" : "")
          + " warps";
    }
  }

  /** Every mode, for tests that run a kernel under each. */
  static final List<Mode> MODES =
      List.of(
          new Mode(false, false, false),
          new Mode(true, true, false),
          new Mode(false, true, true),
          new Mode(true, false, true));

  private final Process process;
  private final DataInputStream in;
  private final OutputStream out;
  private final List<String> kernels;
  private final java.util.Map<String, Integer> launched =
      new java.util.concurrent.ConcurrentHashMap<>();

  private EmulatedDevice(Process process, List<String> kernels) {
    this.process = process;
    this.in = new DataInputStream(new BufferedInputStream(process.getInputStream()));
    this.out = new BufferedOutputStream(process.getOutputStream());
    this.kernels = kernels;
  }

  /** Why the emulator cannot be built here (no g++), or null when it can. */
  static String unavailable() {
    try {
      Process p = new ProcessBuilder("g++", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0 ? null : "g++ --version failed";
    } catch (IOException e) {
      return "no g++ to build the device emulator: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Starts an emulated device that has every kernel in {@code kernels}, in {@code mode}. */
  static EmulatedDevice start(Mode mode, List<String> kernels) {
    try {
      build();
      Process p =
          new ProcessBuilder(BINARY.toString())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      EmulatedDevice d = new EmulatedDevice(p, kernels);
      ByteBuffer m = command('M', 2);
      m.put((byte) (mode.deferredCopies() ? 1 : 0));
      m.put((byte) ((mode.reversed() ? 1 : 0) | (mode.greedy() ? 2 : 0)));
      d.call(m, 0);
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts one with every kernel of the project. */
  static EmulatedDevice start(Mode mode) {
    return start(
        mode,
        List.of(
            "int8_gemm_mma",
            "int8_gemm_mma_2stage",
            "transpose_pad_i8",
            "int8_gemm_dp4a",
            "fp32_gemm",
            "gen_seeded_i8",
            "merkle_leaves",
            "merkle_root",
            "requantize_i8"));
  }

  /** Builds the emulator unless a build newer than every source is there. */
  private static synchronized void build() throws IOException {
    FileTime newest;
    try (Stream<Path> sources = Files.list(SOURCES)) {
      newest =
          sources
              .filter(f -> f.toString().matches(".*\\.(cu|cuh|cpp)$"))
              .map(EmulatedDevice::modified)
              .max(FileTime::compareTo)
              .orElseThrow();
    }
    if (Files.exists(BINARY) && modified(BINARY).compareTo(newest) > 0) {
      return;
    }
    Files.createDirectories(BINARY.getParent());
    Path tmp = BINARY.resolveSibling("device-on-cpu.tmp");
    Process p =
        new ProcessBuilder(
                "g++",
                "-std=c++20",
                "-O2",
                "-Wall",
                "-Werror",
                "-Wno-unknown-pragmas",
                "-ffp-contract=off",
                "-o",
                tmp.toString(),
                SOURCES.resolve("device-on-cpu.cpp").toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("g++ failed to build the device emulator:\n" + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted building the device emulator", e);
    }
    Files.move(tmp, BINARY, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ByteBuffer command(char c, int bytes) {
    ByteBuffer b = ByteBuffer.allocate(1 + bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) c);
    return b;
  }

  /** Sends a command (and {@code data} after it) and returns the {@code replyBytes} answer. */
  private synchronized byte[] call(ByteBuffer command, int replyBytes, byte[]... data) {
    try {
      out.write(command.array(), 0, command.position());
      for (byte[] d : data) {
        out.write(d);
      }
      out.flush();
      int status = in.read();
      if (status != 0) {
        if (status < 0) {
          throw new IllegalStateException("the device emulator exited");
        }
        byte[] len = in.readNBytes(2);
        int length = (len[0] & 0xff) | (len[1] & 0xff) << 8;
        throw new GpuException(
            "emulated device: " + new String(in.readNBytes(length), StandardCharsets.UTF_8));
      }
      byte[] reply = new byte[replyBytes];
      in.readFully(reply);
      return reply;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How many times {@code kernel} was launched on this device. */
  int launches(String kernel) {
    return launched.getOrDefault(kernel, 0);
  }

  @Override
  public boolean has(String kernel) {
    return kernels.contains(kernel);
  }

  @Override
  public Ptr alloc(long bytes) {
    ByteBuffer c = command('A', 8);
    c.putLong(bytes);
    long handle = ByteBuffer.wrap(call(c, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return new Ptr(handle, 0);
  }

  @Override
  public void free(Ptr buffer) {
    ByteBuffer c = command('F', 8);
    c.putLong(buffer.buffer());
    call(c, 0);
  }

  @Override
  public void zero(Ptr at, long bytes, int stream) {
    ByteBuffer c = command('S', 25);
    c.putLong(at.buffer()).putLong(at.offset()).putLong(bytes).put((byte) 0);
    call(c, 0);
  }

  private void write(Ptr at, byte[] data) {
    ByteBuffer c = command('W', 24);
    c.putLong(at.buffer()).putLong(at.offset()).putLong(data.length);
    call(c, 0, data);
  }

  private byte[] read(Ptr at, long bytes) {
    ByteBuffer c = command('R', 24);
    c.putLong(at.buffer()).putLong(at.offset()).putLong(bytes);
    return call(c, Math.toIntExact(bytes));
  }

  @Override
  public void upload(byte[] src, int srcOffset, int width, int rows, Ptr at, long pitch, int s) {
    for (int r = 0; r < rows; r++) {
      byte[] row = new byte[width];
      System.arraycopy(src, srcOffset + r * width, row, 0, width);
      write(at.plus(r * pitch), row);
    }
  }

  @Override
  public void upload(float[] src, int srcOffset, int width, int rows, Ptr at, long pitch, int s) {
    for (int r = 0; r < rows; r++) {
      ByteBuffer row = ByteBuffer.allocate(4 * width).order(ByteOrder.LITTLE_ENDIAN);
      row.asFloatBuffer().put(src, srcOffset + r * width, width);
      write(at.plus(r * pitch), row.array());
    }
  }

  @Override
  public void download(Ptr at, byte[] dst, int stream) {
    System.arraycopy(read(at, dst.length), 0, dst, 0, dst.length);
  }

  @Override
  public void download(Ptr at, int[] dst, int dstOffset, int count, int stream) {
    ByteBuffer.wrap(read(at, 4L * count))
        .order(ByteOrder.LITTLE_ENDIAN)
        .asIntBuffer()
        .get(dst, dstOffset, count);
  }

  @Override
  public void download(Ptr at, float[] dst, int dstOffset, int count, int stream) {
    ByteBuffer.wrap(read(at, 4L * count))
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(dst, dstOffset, count);
  }

  @Override
  public void launch(
      String kernel, int[] grid, int[] block, int sharedBytes, int stream, Object... args) {
    if (!has(kernel)) {
      throw new GpuException("kernel " + kernel + " is not loaded");
    }
    launched.merge(kernel, 1, Integer::sum);
    byte[] name = kernel.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer c = command('L', 2 + name.length + 4 * 8 + 17 * args.length);
    c.putShort((short) name.length).put(name);
    for (int v : grid) {
      c.putInt(v);
    }
    for (int v : block) {
      c.putInt(v);
    }
    c.putInt(sharedBytes).putInt(args.length);
    for (Object a : args) {
      if (a instanceof Ptr p) {
        c.put((byte) 'p').putLong(p.buffer()).putLong(p.offset());
      } else if (a instanceof Integer v) {
        c.put((byte) 'i').putInt(v);
      } else {
        throw new IllegalArgumentException("kernel parameter " + a);
      }
    }
    call(c, 0);
  }

  @Override
  public long record(int stream) {
    return 0;
  }

  @Override
  public void await(int stream, long event) {}

  @Override
  public void release(long event) {}

  @Override
  public double elapsedMillis(long from, long to) {
    return 0;
  }

  @Override
  public void synchronize() {}

  @Override
  public void close() {
    try {
      out.write('Q');
      out.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
