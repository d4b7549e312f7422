// Runs int8_gemm.cu's kernel on the CPU, one std::thread per CUDA thread and a std::barrier for
// __syncthreads, and compares it with a plain triple loop. It checks the kernel's indexing, its
// transpose of B and its use of __dp4a where no GPU is at hand; check-kernel-on-cpu.sh builds and
// runs it (g++ 11 or newer). Blocks run one after another, so one static array per __shared__
// declaration is the block's shared memory.
#include <barrier>
#include <cstdint>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

struct Dim3 {
  int x, y, z;
};
thread_local Dim3 threadIdx;
Dim3 blockIdx;
static std::barrier<> *block_barrier;

#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(x)
#define __shared__ static

static inline void __syncthreads() { block_barrier->arrive_and_wait(); }

// PTX dp4a.s32.s32: the four signed byte products of a and b, plus c.
static inline int __dp4a(int a, int b, int c) {
  for (int k = 0; k < 4; k++) {
    c += (int)(int8_t)(a >> (8 * k)) * (int)(int8_t)(b >> (8 * k));
  }
  return c;
}

#include "int8_gemm.cu"

static std::vector<int> run_kernel(int n, const std::vector<int8_t> &a,
                                   const std::vector<int8_t> &b) {
  std::vector<int> c(static_cast<size_t>(n) * n, 0x7eadbeef);
  const int *aw = reinterpret_cast<const int *>(a.data());
  const int *bw = reinterpret_cast<const int *>(b.data());
  for (int by = 0; by < n / TILE; by++) {
    for (int bx = 0; bx < n / TILE; bx++) {
      blockIdx = {bx, by, 0};
      std::barrier<> barrier(THREADS_X * THREADS_Y);
      block_barrier = &barrier;
      std::vector<std::thread> threads;
      for (int y = 0; y < THREADS_Y; y++) {
        for (int x = 0; x < THREADS_X; x++) {
          threads.emplace_back([=, &c] {
            threadIdx = {x, y, 0};
            int8_gemm_dp4a(aw, bw, c.data(), n);
          });
        }
      }
      for (auto &th : threads) {
        th.join();
      }
    }
  }
  return c;
}

static std::vector<int> naive(int n, const std::vector<int8_t> &a, const std::vector<int8_t> &b) {
  std::vector<int> c(static_cast<size_t>(n) * n);
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) {
      int64_t s = 0;
      for (int k = 0; k < n; k++) {
        s += (int)a[i * n + k] * (int)b[k * n + j];
      }
      c[i * n + j] = (int)s;
    }
  }
  return c;
}

int main() {
  std::mt19937 random(7);
  int failures = 0;
  const char *kinds[] = {"random", "all -128", "-128 x 127", "row/column ids"};
  for (int n : {128, 256, 384}) {
    for (int kind = 0; kind < 4; kind++) {
      std::vector<int8_t> a(static_cast<size_t>(n) * n), b(a.size());
      for (size_t i = 0; i < a.size(); i++) {
        switch (kind) {
          case 0:
            a[i] = (int8_t)random();
            b[i] = (int8_t)random();
            break;
          case 1:
            a[i] = -128;
            b[i] = -128;
            break;
          case 2:
            a[i] = -128;
            b[i] = 127;
            break;
          default:  // distinct small values that expose a swapped row, column or k index
            a[i] = (int8_t)((i / n) * 3 + (i % n));
            b[i] = (int8_t)((i / n) - 5 * (i % n));
        }
      }
      std::vector<int> got = run_kernel(n, a, b), want = naive(n, a, b);
      size_t bad = 0;
      for (size_t i = 0; i < got.size(); i++) {
        if (got[i] != want[i]) {
          if (bad == 0) {
            std::printf("  first mismatch at row %zu col %zu: kernel %d, loop %d\n", i / n, i % n,
                        got[i], want[i]);
          }
          bad++;
        }
      }
      std::printf("n=%d %-14s %s (%zu of %zu entries differ)\n", n, kinds[kind],
                  bad == 0 ? "equal" : "DIFFERENT", bad, got.size());
      failures += bad != 0;
    }
  }
  std::printf("%s\n", failures == 0 ? "kernel equals the triple loop" : "KERNEL IS WRONG");
  return failures == 0 ? 0 : 1;
}
