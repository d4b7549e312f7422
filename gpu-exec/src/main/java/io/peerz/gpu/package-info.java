/**
 * Running the {@code int8-gemm-<n>} workloads: on an NVIDIA GPU through JCuda (a dp4a PTX kernel on
 * the CUDA driver API) or on the CPU with identical bytes.
 *
 * <p>Public surface: {@link io.peerz.gpu.GemmBackend} and its implementations {@link
 * io.peerz.gpu.CpuBackend} and {@link io.peerz.gpu.CudaBackend}, {@link io.peerz.gpu.GemmBackends}
 * (detection and fallback), {@link io.peerz.gpu.GpuInventory} and {@link io.peerz.gpu.GpuInfo} (the
 * GPUs for a hardware report), {@link io.peerz.gpu.HostInfo} (CPU and memory), {@link
 * io.peerz.gpu.OutputFile} (a whole output on disk), {@link io.peerz.gpu.GpuException}, and {@link
 * io.peerz.gpu.GpuBenchMain} (the benchmark the GPU run kit starts).
 */
package io.peerz.gpu;
