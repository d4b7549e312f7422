package io.peerz.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GpuInventoryTest {

  @Test
  void parsesNvidiaSmiCsvWithTheHeaderAndSeveralDevices() {
    String csv =
        "name, memory.total [MiB]\n"
            + "NVIDIA H200, 143771 MiB\n"
            + "NVIDIA GeForce RTX 4090, 24564 MiB\n";
    assertThat(GpuInventory.parseNvidiaSmi(csv))
        .containsExactly(
            new GpuInfo(0, "NVIDIA H200", 143771, "unknown", 0, 0),
            new GpuInfo(1, "NVIDIA GeForce RTX 4090", 24564, "unknown", 0, 0));
  }

  @Test
  void skipsLinesItCannotSize() {
    String csv = "name, memory.total [MiB]\r\nNVIDIA A100, [N/A]\r\n\r\nTesla T4, 15360 MiB\r\n";
    assertThat(GpuInventory.parseNvidiaSmi(csv))
        .containsExactly(new GpuInfo(0, "Tesla T4", 15360, "unknown", 0, 0));
    assertThat(GpuInventory.parseNvidiaSmi("No devices were found")).isEmpty();
  }

  @Test
  void probeNamesItsSourceAndSaysWhyTheDriverWasNotUsed() {
    GpuInventory.Inventory inv = GpuInventory.probe();
    assertThat(inv.source()).isIn("cuda", "nvidia-smi", "none");
    if (inv.source().equals("none")) {
      assertThat(inv.gpus()).isEmpty();
      assertThat(inv.note()).isNotBlank();
    }
  }

  @Test
  void describesADeviceWithTheFactsItHas() {
    assertThat(new GpuInfo(0, "NVIDIA H200", 143771, "9.0", 132, 1980).describe())
        .isEqualTo("NVIDIA H200 (sm_90, 132 SMs, 1980 MHz, 143771 MiB)");
    assertThat(new GpuInfo(0, "Tesla T4", 15360, "unknown", 0, 0).describe())
        .isEqualTo("Tesla T4 (15360 MiB)");
  }

  @Test
  void hostInfoReadsProcFiles() {
    assertThat(
            HostInfo.cpuModel(
                List.of("processor\t: 0", "model name\t: AMD EPYC 9654 96-Core Processor")))
        .isEqualTo("AMD EPYC 9654 96-Core Processor");
    assertThat(HostInfo.cpuModel(List.of("Model\t\t: Raspberry Pi 5"))).isEqualTo("Raspberry Pi 5");
    assertThat(HostInfo.cpuModel(List.of())).isEqualTo("unknown");
    assertThat(HostInfo.memoryMib(List.of("MemTotal:       24683520 kB", "MemFree: 1 kB")))
        .isEqualTo(24105);
    assertThat(HostInfo.memoryMib(List.of())).isZero();
  }

  @Test
  void datasheetPeaksMatchTheLongestName() {
    assertThat(DevicePeak.int8DenseTops("NVIDIA H200").getAsDouble()).isEqualTo(1979);
    assertThat(DevicePeak.int8DenseTops("NVIDIA H200 NVL").getAsDouble()).isEqualTo(1671);
    assertThat(DevicePeak.int8DenseTops("NVIDIA A100-SXM4-80GB").getAsDouble()).isEqualTo(624);
    assertThat(DevicePeak.int8DenseTops("NVIDIA L40S").getAsDouble()).isEqualTo(733);
    assertThat(DevicePeak.int8DenseTops("Some Future GPU")).isEmpty();
  }
}
