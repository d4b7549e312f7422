"""cuBLASLt's INT8 GEMM through PyTorch's torch._int_mm on the same GPU, as a reference beside
peerz's kernels (run-gpu-bench.sh runs it after GpuBenchMain). Random int8 A (n x n) and B, int32
C; the best of `--repeats` timed runs after a warm-up, timed with CUDA events; TOPS = 2 n^3 / s.
Also checks one product against a float64 matmul of the same integers, so a wrong reference is
not mistaken for a fast one. Prints a Markdown table."""
import argparse
import sys

import torch


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1024,2048,4096,8192,16384")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("torch: no CUDA device")
        return 1
    dev = torch.device("cuda")
    name = torch.cuda.get_device_name(dev)
    print()
    print(f"## Reference: torch._int_mm (cuBLASLt INT8, torch {torch.__version__}, CUDA {torch.version.cuda}), best of {args.repeats} after a warm-up")
    print()
    a = torch.randint(-128, 128, (256, 256), dtype=torch.int8, device=dev)
    b = torch.randint(-128, 128, (256, 256), dtype=torch.int8, device=dev)
    exact = torch.equal(torch._int_mm(a, b).double(), a.double() @ b.double())
    print(f"torch._int_mm at 256 equals a float64 matmul of the same integers: {exact}")
    print()
    print("| device | n | ms | TOPS |")
    print("| --- | --- | --- | --- |")
    for n in [int(s) for s in args.sizes.split(",") if s.strip()]:
        a = torch.randint(-128, 128, (n, n), dtype=torch.int8, device=dev)
        b = torch.randint(-128, 128, (n, n), dtype=torch.int8, device=dev)
        torch._int_mm(a, b)
        torch.cuda.synchronize()
        best = float("inf")
        for _ in range(args.repeats):
            start = torch.cuda.Event(enable_timing=True)
            stop = torch.cuda.Event(enable_timing=True)
            start.record()
            torch._int_mm(a, b)
            stop.record()
            stop.synchronize()
            best = min(best, start.elapsed_time(stop))
        print(f"| {name} | {n} | {best:.3f} | {2.0 * n ** 3 / (best / 1e3) / 1e12:.1f} |")
        del a, b
        torch.cuda.empty_cache()
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
