package io.peerz.gpu;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Datasheet peaks of dense INT8 tensor-core throughput in TOPS (no sparsity), to print a measured
 * figure next to what the device could do. The dp4a kernel runs on the CUDA cores, not the tensor
 * cores, so it reaches a fraction of these; the figure says how much room a tensor-core kernel
 * would have.
 */
final class DevicePeak {
  private record Entry(String nameContains, double int8DenseTops) {}

  // Longer names first: "H200 NVL" before "H200", "A100" before "A10", "L40S" before "L40" and
  // "L4".
  private static final List<Entry> TABLE =
      List.of(
          new Entry("H200 NVL", 1671),
          new Entry("H200", 1979),
          new Entry("H100 PCIE", 1513),
          new Entry("H100 NVL", 1671),
          new Entry("H100", 1979),
          new Entry("A100", 624),
          new Entry("L40S", 733),
          new Entry("L40", 362),
          new Entry("RTX 4090", 661),
          new Entry("L4", 242),
          new Entry("A10", 250),
          new Entry("T4", 130));

  private DevicePeak() {}

  /** The INT8 dense tensor peak of a device by its driver name, when this table knows it. */
  static OptionalDouble int8DenseTops(String deviceName) {
    String upper = deviceName.toUpperCase(Locale.ROOT);
    for (Entry e : TABLE) {
      if (upper.contains(e.nameContains())) {
        return OptionalDouble.of(e.int8DenseTops());
      }
    }
    return OptionalDouble.empty();
  }
}
