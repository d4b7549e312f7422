/**
 * Running the {@code int8-gemm} and {@code fp32-gemm} workloads: on an NVIDIA GPU through JCuda
 * (PTX kernels on the CUDA driver API: int8 on the tensor cores from sm_80, dp4a before, FP32, and
 * seeded jobs generated and hashed on the device) or on the CPU with identical int8 bytes.
 *
 * <p>Public surface: {@link io.peerz.gpu.GemmBackend} and its implementations {@link
 * io.peerz.gpu.CpuBackend} and {@link io.peerz.gpu.CudaBackend}, {@link io.peerz.gpu.SeededProduct}
 * (a seeded job's root and rows from the GPU), {@link io.peerz.gpu.GemmBackends} (detection and
 * fallback), {@link io.peerz.gpu.GpuInventory} and {@link io.peerz.gpu.GpuInfo} (the GPUs for a
 * hardware report), {@link io.peerz.gpu.HostInfo} (CPU and memory), {@link io.peerz.gpu.OutputFile}
 * (a whole output on disk), {@link io.peerz.gpu.GpuException}, and {@link
 * io.peerz.gpu.GpuBenchMain} (the benchmark the GPU run kit starts).
 */
package io.peerz.gpu;
