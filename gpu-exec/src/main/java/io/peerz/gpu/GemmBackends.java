package io.peerz.gpu;

import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the backend a process runs int8-gemm on: CUDA device 0 when JCuda loads and a device is
 * there, else the CPU; {@code cpu} and {@code cuda} force one (a forced {@code cuda} that cannot
 * start fails instead of falling back). One log line says which backend and why.
 */
public final class GemmBackends {
  private static final Logger log = LoggerFactory.getLogger(GemmBackends.class);

  private GemmBackends() {}

  /** What the caller asked for: {@code --backend auto|cpu|cuda}. */
  public enum Choice {
    AUTO,
    CPU,
    CUDA;

    /** "auto", "cpu" or "cuda", any case. */
    public static Choice parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException(
            "backend " + (s == null ? "null" : "'" + s + "'") + " must be auto, cpu or cuda");
      }
    }
  }

  /** The chosen backend and why it was chosen, in words for a log line or a report. */
  public record Detected(GemmBackend backend, String reason) {}

  /** Detects with CUDA device 0 as the GPU candidate. */
  public static Detected detect(Choice choice) {
    return detect(choice, () -> CudaBackend.open(0));
  }

  /** Detects with {@code cuda} opening the GPU candidate; package-private for tests. */
  static Detected detect(Choice choice, Supplier<GemmBackend> cuda) {
    Detected d =
        switch (choice) {
          case CPU -> cpu("CPU backend requested");
          case CUDA -> {
            try {
              yield gpu(cuda.get());
            } catch (GpuException | LinkageError e) {
              throw new GpuException(
                  "CUDA backend requested but unavailable: " + CudaDriver.messages(e), -1, e);
            }
          }
          case AUTO -> {
            GemmBackend opened;
            try {
              opened = cuda.get();
            } catch (GpuException | LinkageError e) {
              yield cpu("no GPU, CPU backend: " + CudaDriver.messages(e));
            }
            yield gpu(opened);
          }
        };
    log.info("gemm backend={} reason=\"{}\"", d.backend().name(), d.reason());
    return d;
  }

  private static Detected cpu(String why) {
    CpuBackend cpu = new CpuBackend();
    return new Detected(cpu, why + " (" + cpu.threads() + " threads)");
  }

  private static Detected gpu(GemmBackend backend) {
    if (backend instanceof CudaBackend c) {
      return new Detected(
          c,
          "CUDA device "
              + c.device().describe()
              + ", driver CUDA "
              + c.driverVersion()
              + ", kernel "
              + c.kernelEntry());
    }
    return new Detected(backend, backend.name() + " backend");
  }
}
