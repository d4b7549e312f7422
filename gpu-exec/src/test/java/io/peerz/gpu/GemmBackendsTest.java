package io.peerz.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GemmBackendsTest {

  @Test
  void autoFallsBackToTheCpuWithTheReasonWhenTheGpuCannotOpen() {
    GemmBackends.Detected d =
        GemmBackends.detect(
            GemmBackends.Choice.AUTO,
            () -> {
              throw new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file");
            });
    try (GemmBackend backend = d.backend()) {
      assertThat(backend).isInstanceOf(CpuBackend.class);
      assertThat(d.reason()).startsWith("no GPU, CPU backend: ").contains("libcuda.so.1");
    }
  }

  @Test
  void autoFallsBackWhenTheDriverReportsNoDevice() {
    GemmBackends.Detected d =
        GemmBackends.detect(
            GemmBackends.Choice.AUTO,
            () -> {
              throw new GpuException("cuInit failed: CUDA_ERROR_NO_DEVICE (100)", 100, null);
            });
    try (GemmBackend backend = d.backend()) {
      assertThat(backend.name()).isEqualTo("cpu");
      assertThat(d.reason()).contains("CUDA_ERROR_NO_DEVICE");
    }
  }

  @Test
  void aRequestedCudaBackendFailsInsteadOfFallingBack() {
    assertThatThrownBy(
            () ->
                GemmBackends.detect(
                    GemmBackends.Choice.CUDA,
                    () -> {
                      throw new GpuException(
                          "cuInit failed: CUDA_ERROR_NO_DEVICE (100)", 100, null);
                    }))
        .isInstanceOf(GpuException.class)
        .hasMessageContaining("CUDA backend requested but unavailable")
        .hasMessageContaining("CUDA_ERROR_NO_DEVICE");
  }

  @Test
  void cpuIsUsedWhenAskedWithoutTryingTheGpu() {
    GemmBackends.Detected d =
        GemmBackends.detect(
            GemmBackends.Choice.CPU,
            () -> {
              throw new AssertionError("the GPU must not be opened");
            });
    try (GemmBackend backend = d.backend()) {
      assertThat(backend.name()).isEqualTo("cpu");
      assertThat(d.reason()).contains("requested");
    }
  }

  @Test
  void realDetectionGivesTheGpuOrTheCpuWithAReason() {
    GemmBackends.Detected d = GemmBackends.detect(GemmBackends.Choice.AUTO);
    try (GemmBackend backend = d.backend()) {
      if (backend instanceof CudaBackend cuda) {
        assertThat(d.reason()).contains(cuda.device().name());
      } else {
        // No GPU here: the reason names what failed, and forcing CUDA fails with it.
        assertThat(backend).isInstanceOf(CpuBackend.class);
        assertThat(d.reason()).startsWith("no GPU, CPU backend: ").hasSizeGreaterThan(30);
        assertThat(d.reason()).doesNotContain("\n").doesNotContain("\tat ");
        assertThatThrownBy(() -> GemmBackends.detect(GemmBackends.Choice.CUDA))
            .isInstanceOf(GpuException.class)
            .hasMessageContaining("CUDA backend requested but unavailable");
      }
    }
  }

  @Test
  void choicesParseInAnyCase() {
    assertThat(GemmBackends.Choice.parse("cuda")).isEqualTo(GemmBackends.Choice.CUDA);
    assertThat(GemmBackends.Choice.parse("CPU")).isEqualTo(GemmBackends.Choice.CPU);
    assertThatThrownBy(() -> GemmBackends.Choice.parse("tpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auto, cpu or cuda");
  }

  @Test
  void theDlopenErrorIsPickedOutOfJcudasNestedTraces() {
    UnsatisfiedLinkError e =
        new UnsatisfiedLinkError(
            "Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                + "Stack trace from the attempt to load the library as a file:\n"
                + "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in"
                + " java.library.path: /usr/lib\n"
                + "\tat java.base/java.lang.ClassLoader.loadLibrary(ClassLoader.java:2434)\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so:"
                + " libcuda.so.1: cannot open shared object file: No such file or directory\n"
                + "\tat java.base/jdk.internal.loader.NativeLibraries.load(Native Method)\n");
    assertThat(CudaDriver.linkFailure(e))
        .isEqualTo(
            "/tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object"
                + " file: No such file or directory");
  }
}
