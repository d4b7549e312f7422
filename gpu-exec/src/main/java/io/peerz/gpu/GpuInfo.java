package io.peerz.gpu;

/**
 * One GPU as a hardware report shows it. {@code computeCapability} is "major.minor" ("9.0") or
 * "unknown" when the device came from nvidia-smi; {@code multiprocessors} and {@code clockMhz} are
 * 0 when unknown.
 */
public record GpuInfo(
    int ordinal,
    String name,
    long vramMib,
    String computeCapability,
    int multiprocessors,
    int clockMhz) {

  /** "NVIDIA H200 (sm_90, 132 SMs, 1980 MHz, 143771 MiB)" with the parts that are known. */
  public String describe() {
    StringBuilder s = new StringBuilder(name).append(" (");
    if (!"unknown".equals(computeCapability)) {
      s.append("sm_").append(computeCapability.replace(".", "")).append(", ");
    }
    if (multiprocessors > 0) {
      s.append(multiprocessors).append(" SMs, ");
    }
    if (clockMhz > 0) {
      s.append(clockMhz).append(" MHz, ");
    }
    return s.append(vramMib).append(" MiB)").toString();
  }
}
