// A CUDA device emulated on the CPU, running the project's kernel sources unchanged: every CUDA
// thread is a fiber (ucontext), a block's fibers run in turn on one OS thread, __syncthreads and
// the warp-wide instructions (ldmatrix, mma) are rendezvous points, and the instructions of
// device_ops.cuh are emulated from the PTX ISA's definition of their register layouts. cp.async
// copies either land at issue ("immediate") or only when the issuing thread waits for their
// group ("deferred", the latest the hardware may deliver them); warps take turns one warp-wide
// step at a time or each runs as far as the barriers let it ("greedy"), in order or reversed. A
// kernel that reads a stage before its copies landed, or refills one another warp still reads,
// gives a different product in one of those modes.
//
// It is a device behind a pipe: the Java test double EmulatedDevice (gpu-exec's tests) starts it
// and sends the same allocations, copies and launches that CudaBackend sends the real driver, so
// the host side's planning is exercised too. Protocol on stdin / stdout, little-endian:
//   'A' u64 bytes                      -> u64 handle            allocate (zero-filled)
//   'F' u64 handle                                              free
//   'S' u64 handle u64 offset u64 bytes u8 value                memset
//   'W' u64 handle u64 offset u64 bytes, bytes                  host -> device
//   'R' u64 handle u64 offset u64 bytes -> bytes                device -> host
//   'L' name (u16 length, bytes) u32 grid[3] u32 block[3] u32 smem u32 count,
//       count x (u8 kind: 'p' u64 handle u64 offset | 'i' i32)  launch, synchronous
//   'M' u8 copies (0 immediate, 1 deferred) u8 order (bit 0: warps and lanes reversed; bit 1:
//       greedy, each warp runs as far as it can before the next one starts)
//   'Q'                                                         quit
// Every command is answered by one status byte (0 ok, 1 error followed by a u16-length message)
// before its result. Build: g++ -std=c++20 -O2 device-on-cpu.cpp (see EmulatedDevice).
#include <ucontext.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

// ---- what CUDA's compiler provides, in plain C++ -------------------------------------------

struct Dim3 {
  unsigned int x, y, z;
};
struct int2 {
  int x, y;
};
static inline int2 make_int2(int x, int y) { return int2{x, y}; }
using std::min;

struct Fiber;
static Fiber *current;
static Dim3 blockIdx, blockDim, gridDim;
static unsigned char *dynamic_smem;

#define PEERZ_ON_CPU 1
#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __shared__ static
#define PEERZ_DYNAMIC_SMEM(name) unsigned char *name = dynamic_smem

static inline float __fmaf_rn(float a, float b, float c) { return std::fmaf(a, b, c); }

// PTX dp4a.s32.s32: the four signed byte products of a and b, plus c (wrapping, as int32 adds).
static inline int __dp4a(int a, int b, int c) {
  uint32_t s = (uint32_t)c;
  for (int k = 0; k < 4; k++) {
    s += (uint32_t)((int)(int8_t)(a >> (8 * k)) * (int)(int8_t)(b >> (8 * k)));
  }
  return (int)s;
}

// PTX prmt.b32: byte i of the result is byte (s >> 4 i) & 7 of the eight bytes {y, x}.
static inline unsigned int __byte_perm(unsigned int x, unsigned int y, unsigned int s) {
  uint64_t v = ((uint64_t)y << 32) | x;
  unsigned int r = 0;
  for (int i = 0; i < 4; i++) {
    r |= (unsigned int)((v >> (8 * ((s >> (4 * i)) & 7))) & 0xff) << (8 * i);
  }
  return r;
}

// ---- fibers ---------------------------------------------------------------------------------

struct Copy {
  void *dst;
  const void *src;
};

struct Fiber {
  ucontext_t context;
  Dim3 index;
  int linear = 0;
  bool done = false;
  std::vector<char> stack;
  std::vector<Copy> open;                 // cp.async not yet committed
  std::vector<std::vector<Copy>> groups;  // committed, not yet landed (deferred mode)
};

#define threadIdx (current->index)

static ucontext_t scheduler;
static int block_threads;
static int barrier_count, barrier_generation;
static long progress;
static bool deferred_copies, reversed_order, greedy_warps;
static std::function<void()> kernel_body;

static void yield_to_scheduler() { swapcontext(&current->context, &scheduler); }

static void __syncthreads() {
  int generation = barrier_generation;
  if (++barrier_count == block_threads) {
    barrier_count = 0;
    barrier_generation++;
    progress++;
    return;
  }
  while (barrier_generation == generation) {
    yield_to_scheduler();
  }
}

// A warp-wide instruction: every lane deposits its operands, the last to arrive computes all 32
// lanes' results at once (as the hardware does, from one snapshot of shared memory), and each
// lane then takes its own.
enum class Op { None, Ldmatrix, Mma };
struct WarpSlot {
  int arrived = 0;
  int generation = 0;
  Op op[32];
  const unsigned char *address[32];
  unsigned int a[32][4];
  unsigned int b[32][2];
  int c[32][4];
  unsigned int out[32][4];
};
static std::vector<WarpSlot> warps;

static void complete(WarpSlot &w) {
  for (int l = 1; l < 32; l++) {
    if (w.op[l] != w.op[0]) {
      throw std::runtime_error("lanes of one warp reached different warp-wide instructions");
    }
  }
  if (w.op[0] == Op::Ldmatrix) {
    // Matrix j's row r is at the address lane 8 j + r gave; lane l receives bytes
    // 4 (l % 4) .. 4 (l % 4) + 3 of row l / 4 of each matrix.
    for (int l = 0; l < 32; l++) {
      for (int j = 0; j < 4; j++) {
        const unsigned char *row = w.address[8 * j + l / 4];
        if (((uintptr_t)row & 15) != 0) {
          throw std::runtime_error("ldmatrix row address not 16-byte aligned");
        }
        std::memcpy(&w.out[l][j], row + 4 * (l % 4), 4);
      }
    }
    return;
  }
  // mma.m16n8k32.row.col.s32.s8.s8.s32, layouts as in device_ops.cuh.
  int8_t a[16][32], b[32][8];
  int c[16][8];
  for (int r = 0; r < 16; r++) {
    for (int k = 0; k < 32; k++) {
      unsigned int reg = w.a[(r % 8) * 4 + (k % 16) / 4][(r / 8) + 2 * (k / 16)];
      a[r][k] = (int8_t)(reg >> (8 * (k % 4)));
    }
  }
  for (int k = 0; k < 32; k++) {
    for (int n = 0; n < 8; n++) {
      unsigned int reg = w.b[n * 4 + (k % 16) / 4][k / 16];
      b[k][n] = (int8_t)(reg >> (8 * (k % 4)));
    }
  }
  for (int r = 0; r < 16; r++) {
    for (int n = 0; n < 8; n++) {
      c[r][n] = w.c[(r % 8) * 4 + n / 2][(r / 8) * 2 + n % 2];
    }
  }
  for (int r = 0; r < 16; r++) {
    for (int n = 0; n < 8; n++) {
      uint32_t s = (uint32_t)c[r][n];
      for (int k = 0; k < 32; k++) {
        s += (uint32_t)(a[r][k] * b[k][n]);
      }
      w.out[(r % 8) * 4 + n / 2][(r / 8) * 2 + n % 2] = s;
    }
  }
}

static void warp_rendezvous() {
  WarpSlot &w = warps[current->linear / 32];
  int generation = w.generation;
  if (++w.arrived == 32) {
    complete(w);
    w.arrived = 0;
    w.generation++;
    progress++;
    return;
  }
  while (w.generation == generation) {
    yield_to_scheduler();
  }
}

static void ldmatrix_x4(unsigned int (&r)[4], const void *smem) {
  WarpSlot &w = warps[current->linear / 32];
  int lane = current->linear % 32;
  w.op[lane] = Op::Ldmatrix;
  w.address[lane] = static_cast<const unsigned char *>(smem);
  warp_rendezvous();
  for (int j = 0; j < 4; j++) {
    r[j] = w.out[lane][j];
  }
}

static void mma_s8(int (&d)[4], const unsigned int (&a)[4], const unsigned int (&b)[2]) {
  WarpSlot &w = warps[current->linear / 32];
  int lane = current->linear % 32;
  w.op[lane] = Op::Mma;
  std::memcpy(w.a[lane], a, sizeof a);
  std::memcpy(w.b[lane], b, sizeof b);
  std::memcpy(w.c[lane], d, sizeof d);
  warp_rendezvous();
  for (int j = 0; j < 4; j++) {
    d[j] = (int)w.out[lane][j];
  }
}

static void land(const std::vector<Copy> &group) {
  for (const Copy &c : group) {
    std::memcpy(c.dst, c.src, 16);
  }
}

static void cp_async_16(void *smem, const void *gmem) {
  if (((uintptr_t)smem & 15) != 0 || ((uintptr_t)gmem & 15) != 0) {
    throw std::runtime_error("cp.async of 16 bytes needs 16-byte aligned addresses");
  }
  if (deferred_copies) {
    current->open.push_back({smem, gmem});
  } else {
    std::memcpy(smem, gmem, 16);
  }
}

static void cp_async_commit() {
  current->groups.push_back(std::move(current->open));
  current->open.clear();
}

template <int N>
static void cp_async_wait() {
  while (current->groups.size() > (size_t)N) {
    land(current->groups.front());
    current->groups.erase(current->groups.begin());
  }
}

// ---- the kernels, unchanged -----------------------------------------------------------------

#include "fp32_gemm.cu"
#include "int8_gemm.cu"
#include "int8_gemm_mma.cu"
#include "seeded_job.cu"
#include "requantize.cu"

// ---- launching ------------------------------------------------------------------------------

// An exception must not unwind across a context switch: a fiber keeps the first one's message
// and ends, and the scheduler raises it once it is back on its own stack.
static std::string fiber_error;

static void fiber_main() {
  try {
    kernel_body();
  } catch (const std::exception &e) {
    if (fiber_error.empty()) {
      fiber_error = e.what();
    }
  }
  current->done = true;
  progress++;
  swapcontext(&current->context, &scheduler);
}

static std::vector<Fiber> fibers;
static const size_t STACK_BYTES = 256 * 1024;

static void run_block(int threads) {
  if ((int)fibers.size() < threads) {
    fibers.resize(threads);
  }
  warps.assign((threads + 31) / 32, WarpSlot{});
  block_threads = threads;
  barrier_count = 0;
  for (int t = 0; t < threads; t++) {
    Fiber &f = fibers[t];
    f.linear = t;
    f.index = {t % blockDim.x, (t / blockDim.x) % blockDim.y, t / (blockDim.x * blockDim.y)};
    f.done = false;
    f.open.clear();
    f.groups.clear();
    f.stack.resize(STACK_BYTES);
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = f.stack.data();
    f.context.uc_stack.ss_size = f.stack.size();
    f.context.uc_link = nullptr;
    makecontext(&f.context, fiber_main, 0);
  }
  int remaining = threads;
  const int warp_count = (threads + 31) / 32;
  while (remaining > 0) {
    long before = progress;
    for (int wi = 0; wi < warp_count; wi++) {
      const int w = reversed_order ? warp_count - 1 - wi : wi;
      long pass;
      do {
        pass = progress;
        for (int li = 0; li < 32 && 32 * w + li < threads; li++) {
          Fiber &f = fibers[32 * w + (reversed_order ? std::min(31, threads - 1 - 32 * w) - li : li)];
          if (f.done) {
            continue;
          }
          current = &f;
          swapcontext(&scheduler, &f.context);
          if (!fiber_error.empty()) {
            std::string message = fiber_error;
            fiber_error.clear();
            throw std::runtime_error(message);
          }
          if (f.done) {
            remaining--;
          }
        }
        // Greedy: a warp runs on as long as it gets anywhere, up to a __syncthreads (or its end),
        // before the next warp starts, so warps drift apart as far as the barriers allow.
      } while (greedy_warps && progress != pass);
    }
    if (progress == before && remaining > 0) {
      throw std::runtime_error("deadlock: every thread waits at a barrier the others never reach");
    }
  }
  for (int t = 0; t < threads; t++) {
    if (!fibers[t].open.empty() || !fibers[t].groups.empty()) {
      throw std::runtime_error("a thread ended with cp.async copies it never waited for");
    }
  }
}

static void launch(Dim3 grid, Dim3 block, unsigned int smem, std::function<void()> body) {
  gridDim = grid;
  blockDim = block;
  kernel_body = std::move(body);
  std::vector<unsigned char> shared(smem + 128);
  dynamic_smem = shared.data() + (128 - ((uintptr_t)shared.data() & 127)) % 128;
  const int threads = (int)(block.x * block.y * block.z);
  for (unsigned int z = 0; z < grid.z; z++) {
    for (unsigned int y = 0; y < grid.y; y++) {
      for (unsigned int x = 0; x < grid.x; x++) {
        blockIdx = {x, y, z};
        run_block(threads);
      }
    }
  }
}

// ---- the pipe -------------------------------------------------------------------------------

struct Buffer {
  unsigned char *data;
  uint64_t bytes;
};
static std::map<uint64_t, Buffer> buffers;
static uint64_t next_handle = 1;

static void read_exact(void *p, size_t n) {
  if (n > 0 && std::fread(p, 1, n, stdin) != n) {
    std::exit(0);  // the test closed the pipe
  }
}
template <class T>
static T get() {
  T v;
  read_exact(&v, sizeof v);
  return v;
}
static void put(const void *p, size_t n) { std::fwrite(p, 1, n, stdout); }

static unsigned char *at(uint64_t handle, uint64_t offset, uint64_t bytes) {
  auto it = buffers.find(handle);
  if (it == buffers.end()) {
    throw std::runtime_error("unknown device buffer " + std::to_string(handle));
  }
  if (offset > it->second.bytes || bytes > it->second.bytes - offset) {
    throw std::runtime_error("access past the end of device buffer " + std::to_string(handle));
  }
  return it->second.data + offset;
}

struct Param {
  char kind;
  void *pointer;
  int value;
};

static void run_kernel(const std::string &name, Dim3 grid, Dim3 block, unsigned int smem,
                       const std::vector<Param> &p) {
  auto ptr = [&](size_t i) {
    if (i >= p.size() || p[i].kind != 'p') {
      throw std::runtime_error(name + ": parameter " + std::to_string(i) + " must be a pointer");
    }
    return p[i].pointer;
  };
  auto num = [&](size_t i) {
    if (i >= p.size() || p[i].kind != 'i') {
      throw std::runtime_error(name + ": parameter " + std::to_string(i) + " must be an int");
    }
    return p[i].value;
  };
  auto expect = [&](size_t count) {
    if (p.size() != count) {
      throw std::runtime_error(name + " takes " + std::to_string(count) + " parameters");
    }
  };
  if (name == "int8_gemm_mma" || name == "int8_gemm_mma_2stage") {
    expect(8);
    const bool three = name == "int8_gemm_mma";
    if (smem < (three ? 3 : 2) * MMA_STAGE) {
      throw std::runtime_error(name + " needs " + std::to_string((three ? 3 : 2) * MMA_STAGE) +
                               " bytes of dynamic shared memory");
    }
    launch(grid, block, smem, [&] {
      (three ? int8_gemm_mma : int8_gemm_mma_2stage)(
          (const signed char *)ptr(0), (const signed char *)ptr(1), (int *)ptr(2), num(3), num(4),
          num(5), num(6), num(7));
    });
  } else if (name == "transpose_pad_i8") {
    expect(5);
    launch(grid, block, smem, [&] {
      transpose_pad_i8((const signed char *)ptr(0), num(1), num(2), (signed char *)ptr(3), num(4));
    });
  } else if (name == "int8_gemm_dp4a") {
    expect(7);
    launch(grid, block, smem, [&] {
      int8_gemm_dp4a((const int *)ptr(0), (const int *)ptr(1), (int *)ptr(2), num(3), num(4),
                     num(5), num(6));
    });
  } else if (name == "fp32_gemm") {
    expect(7);
    launch(grid, block, smem, [&] {
      fp32_gemm((const float *)ptr(0), (const float *)ptr(1), (float *)ptr(2), num(3), num(4),
                num(5), num(6));
    });
  } else if (name == "gen_seeded_i8") {
    expect(5);
    launch(grid, block, smem, [&] {
      gen_seeded_i8((const unsigned int *)ptr(0), (signed char *)ptr(1), num(2), num(3), num(4));
    });
  } else if (name == "merkle_leaves") {
    expect(5);
    launch(grid, block, smem, [&] {
      merkle_leaves((const int *)ptr(0), num(1), num(2), num(3), (unsigned int *)ptr(4));
    });
  } else if (name == "merkle_root") {
    expect(5);
    launch(grid, block, smem, [&] {
      merkle_root((const unsigned int *)ptr(0), num(1), (unsigned int *)ptr(2),
                  (unsigned int *)ptr(3), (unsigned int *)ptr(4));
    });
  } else if (name == "requantize_i8") {
    expect(10);
    launch(grid, block, smem, [&] {
      requantize_i8((int *)ptr(0), num(1), num(2), (const int *)ptr(3), (const int *)ptr(4),
                    (const int *)ptr(5), num(6), num(7), num(8), (signed char *)ptr(9));
    });
  } else {
    throw std::runtime_error("no kernel named " + name);
  }
}

static void serve() {
  for (;;) {
    char command = get<char>();
    std::vector<unsigned char> reply;
    try {
      switch (command) {
        case 'A': {
          uint64_t bytes = get<uint64_t>();
          // 256-byte aligned, as cuMemAlloc's are; the slack keeps an empty buffer addressable.
          void *p = std::aligned_alloc(256, (bytes + 256) / 256 * 256);
          if (p == nullptr) {
            throw std::runtime_error("out of memory");
          }
          std::memset(p, 0, bytes);
          uint64_t handle = next_handle++;
          buffers[handle] = {static_cast<unsigned char *>(p), bytes};
          reply.resize(8);
          std::memcpy(reply.data(), &handle, 8);
          break;
        }
        case 'F': {
          uint64_t handle = get<uint64_t>();
          std::free(at(handle, 0, 0));
          buffers.erase(handle);
          break;
        }
        case 'S': {
          uint64_t handle = get<uint64_t>(), offset = get<uint64_t>(), bytes = get<uint64_t>();
          unsigned char value = get<unsigned char>();
          std::memset(at(handle, offset, bytes), value, bytes);
          break;
        }
        case 'W': {
          uint64_t handle = get<uint64_t>(), offset = get<uint64_t>(), bytes = get<uint64_t>();
          std::vector<unsigned char> data(bytes);
          read_exact(data.data(), bytes);
          std::memcpy(at(handle, offset, bytes), data.data(), bytes);
          break;
        }
        case 'R': {
          uint64_t handle = get<uint64_t>(), offset = get<uint64_t>(), bytes = get<uint64_t>();
          unsigned char *p = at(handle, offset, bytes);
          reply.assign(p, p + bytes);
          break;
        }
        case 'L': {
          uint16_t length = get<uint16_t>();
          std::string name(length, '\0');
          read_exact(name.data(), length);
          Dim3 grid{get<uint32_t>(), get<uint32_t>(), get<uint32_t>()};
          Dim3 block{get<uint32_t>(), get<uint32_t>(), get<uint32_t>()};
          uint32_t smem = get<uint32_t>();
          uint32_t count = get<uint32_t>();
          std::vector<Param> params;
          for (uint32_t i = 0; i < count; i++) {
            char kind = get<char>();
            if (kind == 'p') {
              uint64_t handle = get<uint64_t>(), offset = get<uint64_t>();
              params.push_back({'p', at(handle, offset, 0), 0});
            } else {
              params.push_back({'i', nullptr, get<int32_t>()});
            }
          }
          run_kernel(name, grid, block, smem, params);
          break;
        }
        case 'M':
          deferred_copies = get<unsigned char>() != 0;
          {
            unsigned char order = get<unsigned char>();
            reversed_order = (order & 1) != 0;
            greedy_warps = (order & 2) != 0;
          }
          break;
        case 'Q':
          return;
        default:
          throw std::runtime_error(std::string("unknown command ") + command);
      }
      unsigned char ok = 0;
      put(&ok, 1);
      put(reply.data(), reply.size());
    } catch (const std::exception &e) {
      unsigned char failed = 1;
      std::string message = e.what();
      uint16_t length = (uint16_t)std::min<size_t>(message.size(), 60000);
      put(&failed, 1);
      put(&length, 2);
      put(message.data(), length);
    }
    std::fflush(stdout);
  }
}

int main() {
  serve();
  return 0;
}
