package io.peerz.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The GPUs of this machine for a hardware report: from the CUDA driver through JCuda when it loads,
 * else from {@code nvidia-smi --query-gpu=name,memory.total --format=csv} when that runs, else
 * none.
 */
public final class GpuInventory {
  /** Where the list came from: {@code cuda}, {@code nvidia-smi} or {@code none}. */
  public record Inventory(List<GpuInfo> gpus, String source, String note) {}

  private static final long NVIDIA_SMI_TIMEOUT_SECONDS = 20;

  private GpuInventory() {}

  /** Asks the driver, then nvidia-smi. */
  public static Inventory probe() {
    String cudaNote;
    try {
      List<GpuInfo> gpus = CudaDriver.devices();
      return new Inventory(gpus, "cuda", "CUDA driver " + CudaDriver.driverVersion());
    } catch (GpuException | LinkageError e) {
      cudaNote = CudaDriver.messages(e);
    }
    try {
      Process p =
          new ProcessBuilder("nvidia-smi", "--query-gpu=name,memory.total", "--format=csv")
              .redirectErrorStream(true)
              .start();
      p.getOutputStream().close();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(NVIDIA_SMI_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Inventory(List.of(), "none", cudaNote + "; nvidia-smi did not answer");
      }
      if (p.exitValue() != 0) {
        return new Inventory(
            List.of(), "none", cudaNote + "; nvidia-smi exited with " + p.exitValue());
      }
      return new Inventory(parseNvidiaSmi(out), "nvidia-smi", cudaNote);
    } catch (IOException e) {
      return new Inventory(List.of(), "none", cudaNote + "; no nvidia-smi");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Inventory(List.of(), "none", cudaNote + "; interrupted");
    }
  }

  /**
   * Parses {@code nvidia-smi --query-gpu=name,memory.total --format=csv}: a header line, then one
   * {@code <name>, <n> MiB} line per GPU. Lines that do not parse are skipped.
   */
  static List<GpuInfo> parseNvidiaSmi(String csv) {
    List<GpuInfo> out = new ArrayList<>();
    String[] lines = csv.split("\\R");
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].trim();
      int comma = line.lastIndexOf(',');
      if (comma <= 0) {
        continue;
      }
      String name = line.substring(0, comma).trim();
      String mem = line.substring(comma + 1).trim();
      if (!mem.endsWith("MiB")) {
        continue;
      }
      try {
        long mib = Long.parseLong(mem.substring(0, mem.length() - 3).trim());
        out.add(new GpuInfo(out.size(), name, mib, "unknown", 0, 0));
      } catch (NumberFormatException e) {
        // "[N/A]" or another placeholder: not a device we can size.
      }
    }
    return List.copyOf(out);
  }
}
