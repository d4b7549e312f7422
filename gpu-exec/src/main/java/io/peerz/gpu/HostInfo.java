package io.peerz.gpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The CPU and memory of this machine, as far as Linux's /proc tells; "unknown" or 0 elsewhere. */
public record HostInfo(String cpuModel, int cores, long memoryMib) {

  /** Reads /proc/cpuinfo and /proc/meminfo; cores are the cores this JVM may use. */
  public static HostInfo probe() {
    return new HostInfo(
        cpuModel(lines(Path.of("/proc/cpuinfo"))),
        Runtime.getRuntime().availableProcessors(),
        memoryMib(lines(Path.of("/proc/meminfo"))));
  }

  /** The first "model name" of /proc/cpuinfo (x86), else "Model" or "Hardware" (ARM). */
  static String cpuModel(List<String> cpuinfo) {
    for (String key : new String[] {"model name", "Model", "Hardware"}) {
      for (String line : cpuinfo) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
          String v = line.substring(colon + 1).trim();
          if (!v.isEmpty()) {
            return v;
          }
        }
      }
    }
    return "unknown";
  }

  /** MemTotal of /proc/meminfo in MiB, or 0 when absent. */
  static long memoryMib(List<String> meminfo) {
    for (String line : meminfo) {
      if (line.startsWith("MemTotal:")) {
        String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
        try {
          long kib = Long.parseLong(parts[0]);
          return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? kib / 1024 : kib >> 20;
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  private static List<String> lines(Path p) {
    try {
      return Files.readAllLines(p);
    } catch (IOException | SecurityException e) {
      return List.of();
    }
  }
}
