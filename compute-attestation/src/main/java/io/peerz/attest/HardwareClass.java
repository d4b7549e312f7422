package io.peerz.attest;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A class of hardware an executor offers (ComputeHorde's hardware classes): a name, the least GPU
 * memory a device needs to belong to it, and its relative value in parts per million, the
 * multiplier in {@code points = relative value x efficiency x verified worked seconds}.
 */
public record HardwareClass(String name, long minVramMib, long relativeValuePpm) {

  /** Largest relative value accepted: 1000x the reference class, far above any real ratio. */
  public static final long MAX_RELATIVE_VALUE_PPM = 1_000_000_000L;

  /** Largest memory requirement accepted, 16 TiB: catches unit mistakes (bytes for MiB). */
  public static final long MAX_VRAM_MIB = 16L * 1024 * 1024;

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

  /**
   * Validates every field; throws IllegalArgumentException naming the field and the bound, so a
   * genesis file with a bad class fails with a message a person can act on.
   */
  public HardwareClass {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "hardware class name "
              + (name == null ? "null" : "'" + name + "'")
              + " must be 1 to 32 characters of a-z, 0-9 and '-', not starting with '-'");
    }
    if (minVramMib < 0 || minVramMib > MAX_VRAM_MIB) {
      throw new IllegalArgumentException(
          "hardware class "
              + name
              + ": min_vram_mib "
              + minVramMib
              + " must be between 0 and "
              + MAX_VRAM_MIB);
    }
    if (relativeValuePpm <= 0 || relativeValuePpm > MAX_RELATIVE_VALUE_PPM) {
      throw new IllegalArgumentException(
          "hardware class "
              + name
              + ": relative_value_ppm "
              + relativeValuePpm
              + " must be between 1 and "
              + MAX_RELATIVE_VALUE_PPM);
    }
  }

  /**
   * The default classes. Thresholds sit below the nominal size because drivers report less than the
   * marketing figure (an RTX 4090 shows 24564 MiB, an A6000 49140, an L40S 46068, an H100 80GB
   * 81559); relative values follow typical rental prices with the 24 GB class as the reference.
   */
  public static List<HardwareClass> defaults() {
    return List.of(
        new HardwareClass("cpu", 0, 20_000),
        new HardwareClass("gpu-24gb", 22_000, 1_000_000),
        new HardwareClass("gpu-48gb", 44_000, 2_000_000),
        new HardwareClass("gpu-80gb", 76_000, 4_000_000));
  }

  /**
   * The class with the largest memory requirement that a device with {@code vramMib} meets, or
   * empty when it meets none; ties on memory go to the first class in the list (Stream.max keeps
   * the earlier of equal elements).
   */
  public static Optional<HardwareClass> bestFor(List<HardwareClass> classes, long vramMib) {
    return classes.stream()
        .filter(c -> c.minVramMib() <= vramMib)
        .max(Comparator.comparingLong(HardwareClass::minVramMib));
  }
}
