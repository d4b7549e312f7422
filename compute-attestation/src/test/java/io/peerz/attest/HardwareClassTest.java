package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HardwareClassTest {

  @Test
  void defaultsHaveDistinctNamesAndTheReferenceClassIsWorthOneMillionPpm() {
    List<HardwareClass> defaults = HardwareClass.defaults();
    assertThat(defaults)
        .extracting(HardwareClass::name)
        .containsExactly("cpu", "gpu-24gb", "gpu-48gb", "gpu-80gb")
        .doesNotHaveDuplicates();
    assertThat(defaults)
        .filteredOn(c -> c.name().equals("gpu-24gb"))
        .singleElement()
        .extracting(HardwareClass::relativeValuePpm)
        .isEqualTo(1_000_000L);
  }

  @Test
  void devicesFallIntoTheLargestClassTheirReportedMemoryMeets() {
    List<HardwareClass> d = HardwareClass.defaults();
    assertThat(HardwareClass.bestFor(d, 24_564)).map(HardwareClass::name).contains("gpu-24gb");
    assertThat(HardwareClass.bestFor(d, 46_068)).map(HardwareClass::name).contains("gpu-48gb");
    assertThat(HardwareClass.bestFor(d, 49_140)).map(HardwareClass::name).contains("gpu-48gb");
    assertThat(HardwareClass.bestFor(d, 81_559)).map(HardwareClass::name).contains("gpu-80gb");
    assertThat(HardwareClass.bestFor(d, 8_192)).map(HardwareClass::name).contains("cpu");
    assertThat(HardwareClass.bestFor(List.of(new HardwareClass("big", 80_000, 1)), 1_000))
        .isEmpty();
  }

  @Test
  void constructorRejectsBadNamesMemoryAndValues() {
    assertThatThrownBy(() -> new HardwareClass("GPU", 0, 1)).hasMessageContaining("name 'GPU'");
    assertThatThrownBy(() -> new HardwareClass("-gpu", 0, 1)).hasMessageContaining("name");
    assertThatThrownBy(() -> new HardwareClass(null, 0, 1)).hasMessageContaining("name null");
    assertThatThrownBy(() -> new HardwareClass("a".repeat(33), 0, 1)).hasMessageContaining("name");
    assertThatThrownBy(() -> new HardwareClass("gpu", -1, 1)).hasMessageContaining("min_vram_mib");
    assertThatThrownBy(() -> new HardwareClass("gpu", 80L << 30, 1))
        .hasMessageContaining("min_vram_mib");
    assertThatThrownBy(() -> new HardwareClass("gpu", 0, 0))
        .hasMessageContaining("relative_value_ppm 0");
    assertThatThrownBy(() -> new HardwareClass("gpu", 0, HardwareClass.MAX_RELATIVE_VALUE_PPM + 1))
        .hasMessageContaining("relative_value_ppm");
    assertThat(new HardwareClass("gpu-a", HardwareClass.MAX_VRAM_MIB, 1).minVramMib())
        .isEqualTo(HardwareClass.MAX_VRAM_MIB);
  }
}
