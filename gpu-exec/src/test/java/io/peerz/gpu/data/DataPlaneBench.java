package io.peerz.gpu.data;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The data plane's loopback throughput with root checking (docs/BENCHMARKS.md, "Data plane"): a
 * buyer's {@link DataClient} uploads a file to a {@link DataServer}, which checks its row root
 * before it answers, then downloads it as an output and checks the root itself. Prints MB/s (10^6
 * bytes per second) each way, the check included, the check's own rate, and the CPU seconds the
 * process (client and server together) spent per GiB moved: on a shared machine the wall-clock
 * rates fall with the load, the CPU cost much less.
 *
 * <p>Not a test: run it by hand (the command is in docs/BENCHMARKS.md). Arguments: {@code --mib N}
 * (file size, default 512), {@code --row-bytes N} (default 4096), {@code --rounds N} (default 3),
 * {@code --dir DIR} (scratch space, default the system temp folder), {@code --check none} (no root
 * check either way: the transfer alone).
 */
public final class DataPlaneBench {
  private DataPlaneBench() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    long mib = 512;
    int rowBytes = 4096;
    int rounds = 3;
    boolean check = true;
    Path scratch = Path.of(System.getProperty("java.io.tmpdir"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--mib" -> mib = Long.parseLong(args[i + 1]);
        case "--row-bytes" -> rowBytes = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--dir" -> scratch = Path.of(args[i + 1]);
        case "--check" -> check = !args[i + 1].equals("none");
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    long size = mib << 20;
    Path dir = Files.createTempDirectory(scratch, "peerz-data-bench");
    try {
      run(dir, size, rowBytes, rounds, check);
    } finally {
      try (var walk = Files.walk(dir)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void run(Path dir, long size, int rowBytes, int rounds, boolean check)
      throws Exception {
    Path input = dir.resolve("a.bin");
    writeRandom(input, size);
    long t0 = System.nanoTime();
    byte[] root = RowRootCheck.root(input, rowBytes);
    double hashSeconds = (System.nanoTime() - t0) / 1e9;
    // A second pass, warm: the first one also paid for the JIT.
    t0 = System.nanoTime();
    RowRootCheck.root(input, rowBytes);
    hashSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "file %d MiB, rows of %d bytes, %d cores; root check alone: %.0f MB/s%n",
        size >> 20, rowBytes, Runtime.getRuntime().availableProcessors(), size / hashSeconds / 1e6);
    DataLimits limits = new DataLimits(size, 4 * size, 16, Duration.ofSeconds(60));
    DataClient client = new DataClient(Duration.ofSeconds(120));
    com.sun.management.OperatingSystemMXBean cpu =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (DataServer server =
        DataServer.start(
            dir.resolve("storage"), new InetSocketAddress("127.0.0.1", 0), limits, "0xbench")) {
      System.out.println(
          "round  upload MB/s (server checks root)  download MB/s (client checks root)");
      for (int r = 1; r <= rounds; r++) {
        server.expectInput(r, "a.bin", size, check ? new RowRootCheck(root, rowBytes) : file -> {});
        long u0 = System.nanoTime();
        long c0 = cpu.getProcessCpuTime();
        client.upload(server.baseUrl(), r, "a.bin", input);
        double up = size / ((System.nanoTime() - u0) / 1e9) / 1e6;
        double upCpu = (cpu.getProcessCpuTime() - c0) / 1e9 / (size / (double) (1 << 30));

        Path published = dir.resolve("c-" + r + ".bin");
        Files.copy(server.input(r, "a.bin").get(), published);
        server.publishOutput(r, "c.bin", published);
        Path out = dir.resolve("out-" + r + ".bin");
        long d0 = System.nanoTime();
        long c1 = cpu.getProcessCpuTime();
        client.download(server.baseUrl(), r, "c.bin", out);
        if (check && !Arrays.equals(RowRootCheck.root(out, rowBytes), root)) {
          throw new IllegalStateException("the downloaded file's root differs");
        }
        double down = size / ((System.nanoTime() - d0) / 1e9) / 1e6;
        double downCpu = (cpu.getProcessCpuTime() - c1) / 1e9 / (size / (double) (1 << 30));
        System.out.printf("%5d  %32.0f  %34.0f  %12.2f  %14.2f%n", r, up, down, upCpu, downCpu);
        server.forget(r);
        Files.delete(out);
      }
    }
  }

  private static void writeRandom(Path file, long size) throws IOException {
    SplittableRandom random = new SplittableRandom(13);
    byte[] block = new byte[8 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += block.length) {
        for (int i = 0; i < block.length; i += 8) {
          long v = random.nextLong();
          for (int b = 0; b < 8; b++) {
            block[i + b] = (byte) (v >>> (8 * b));
          }
        }
        out.write(block, 0, (int) Math.min(block.length, size - written));
      }
    }
  }
}
