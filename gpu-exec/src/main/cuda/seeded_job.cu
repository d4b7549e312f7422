// The seeded benchmark job on the device, so that only a root and the challenged rows cross the
// bus: the inputs A and B regenerated from (seed, job id), and the Merkle root of the output C, as
// docs/attestation.md defines them ("Inputs", "Output commitment"; GemmInputs and
// OutputCommitment are the CPU references, kernels-on-cpu.cpp checks these kernels against them).
//
// The PTX beside this file is generated from it; the command is in regenerate-ptx.sh.

#include "sha256.cuh"

// Blocks of one row's stream each thread hashes after the shared first block.
#define GEN_BLOCKS_PER_THREAD 8

// Rows [0, rows) of a seeded matrix, cols bytes each, at row pitch `pitch` bytes: row r is the
// first cols bytes of SHA-256(prefix || r (u32 BE) || counter (u32 BE)) for counter 0, 1, ...,
// where prefix is the 59 bytes "peerz/int8-gemm/v1" || seed || job id (u64 BE) || tag. The
// 67-byte message is two blocks: the first holds the prefix, r and the counter's top byte, which
// is 0 for every counter below 2^24, so its compression is done once per row and shared by the
// row's blocks; the second holds the counter's low three bytes, the padding and the length.
// head[0..13] are the first block's first 14 words (bytes 0..55) and head[14] the next word
// without r's top byte (bytes 56..58 and 0), all big-endian. cols is a multiple of 32 and the
// pitch of 4. Grid: rows x ceil(cols / 32 / GEN_BLOCKS_PER_THREAD) threads in all, 1-D.
extern "C" __global__ void __launch_bounds__(256)
    gen_seeded_i8(const unsigned int *__restrict__ head, signed char *__restrict__ out, int rows,
                  int cols, int pitch) {
  const int blocks_per_row = cols / 32;
  const int threads_per_row = (blocks_per_row + GEN_BLOCKS_PER_THREAD - 1) / GEN_BLOCKS_PER_THREAD;
  const long long id = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (id >= (long long)rows * threads_per_row) {
    return;
  }
  const unsigned int r = (unsigned int)(id / threads_per_row);
  const int first = (int)(id % threads_per_row) * GEN_BLOCKS_PER_THREAD;

  unsigned int mid[8];
  {
    unsigned int w[16];
#pragma unroll
    for (int i = 0; i < 14; i++) {
      w[i] = head[i];
    }
    w[14] = head[14] | (r >> 24);
    w[15] = r << 8;  // r's low three bytes, then the counter's top byte (0)
    sha256_init(mid);
    sha256_compress(mid, w);
  }
  unsigned int *row = reinterpret_cast<unsigned int *>(out + (size_t)r * pitch);
#pragma unroll 1
  for (int counter = first; counter < first + GEN_BLOCKS_PER_THREAD && counter < blocks_per_row;
       counter++) {
    unsigned int w[16];
    w[0] = ((unsigned int)counter << 8) | 0x80u;
#pragma unroll
    for (int i = 1; i < 15; i++) {
      w[i] = 0;
    }
    w[15] = 67 * 8;
    unsigned int h[8];
#pragma unroll
    for (int i = 0; i < 8; i++) {
      h[i] = mid[i];
    }
    sha256_compress(h, w);
#pragma unroll
    for (int i = 0; i < 8; i++) {
      row[counter * 8 + i] = swap_bytes(h[i]);
    }
  }
}

// Word j of the message 0x00 || i (u32 BE) || row bytes, where the row is `cols` int32
// little-endian (C's row as committed), for j <= cols + 1; `top` carries the top byte of the
// entry before the one word j ends in (i's low byte for j = 1).
__device__ __forceinline__ unsigned int leaf_word(const int *row, int j, int cols, unsigned int i,
                                                  unsigned int &top) {
  if (j == 0) {
    top = i & 0xffu;
    return i >> 8;
  }
  if (j <= cols) {
    const unsigned int v = (unsigned int)row[j - 1];
    const unsigned int word = (top << 24) | (swap_bytes(v) >> 8);
    top = v >> 24;
    return word;
  }
  return (top << 24) | 0x00800000u;  // the last byte of the row, then the padding's 0x80
}

// leaves[8 i .. 8 i + 7] = SHA-256(0x00 || row0 + i (u32 BE) || row i of C) as big-endian words,
// for i < rows; C's rows are cols int32 at pitch cols. One thread hashes one row.
extern "C" __global__ void __launch_bounds__(32)
    merkle_leaves(const int *__restrict__ c, int rows, int cols, int row0,
                  unsigned int *__restrict__ leaves) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= rows) {
    return;
  }
  const int *row = c + (size_t)i * cols;
  const unsigned int index = (unsigned int)(row0 + i);
  // 5 + 4 cols bytes: cols + 1 whole words, one more with the last byte and 0x80, then zeros and
  // the 64-bit length in the last two words of the last block.
  const int words = cols + 2;
  const int blocks = (words + 2 + 15) / 16;
  const unsigned int bits = (5u + 4u * (unsigned int)cols) * 8u;
  unsigned int h[8];
  sha256_init(h);
  unsigned int top = 0;
#pragma unroll 1
  for (int b = 0; b < blocks; b++) {
    unsigned int w[16];
    if (b > 0 && 16 * b + 15 <= cols) {
      // A block of row words only: the common case, without the end's branches.
      const int *p = row + 16 * b - 1;
#pragma unroll
      for (int q = 0; q < 16; q++) {
        const unsigned int v = (unsigned int)p[q];
        w[q] = (top << 24) | (swap_bytes(v) >> 8);
        top = v >> 24;
      }
    } else {
#pragma unroll
      for (int q = 0; q < 16; q++) {
        const int j = 16 * b + q;
        if (j < words) {
          w[q] = leaf_word(row, j, cols, index, top);
        } else if (b == blocks - 1 && q == 15) {
          w[q] = bits;
        } else {
          w[q] = 0;  // padding, and the length's high word (the length is below 2^32 bits)
        }
      }
    }
    sha256_compress(h, w);
  }
#pragma unroll
  for (int q = 0; q < 8; q++) {
    leaves[(size_t)i * 8 + q] = h[q];
  }
}

// SHA-256(0x01 || l || r) of two 32-byte hashes held as big-endian words.
__device__ __forceinline__ void inner_hash(const unsigned int *l, const unsigned int *r,
                                           unsigned int (&h)[8]) {
  unsigned int x[16];
#pragma unroll
  for (int q = 0; q < 8; q++) {
    x[q] = l[q];
    x[q + 8] = r[q];
  }
  unsigned int w[16];
  w[0] = 0x01000000u | (x[0] >> 8);
#pragma unroll
  for (int q = 1; q < 16; q++) {
    w[q] = (x[q - 1] << 24) | (x[q] >> 8);
  }
  sha256_init(h);
  sha256_compress(h, w);
  w[0] = (x[15] << 24) | 0x00800000u;
#pragma unroll
  for (int q = 1; q < 15; q++) {
    w[q] = 0;
  }
  w[15] = 65 * 8;
  sha256_compress(h, w);
}

// The root over `count` leaf hashes (8 big-endian words each), CometBFT's tree (RFC 6962: split
// at the largest power of two below the count). Built level by level, which gives the same tree:
// nodes 2p and 2p + 1 of a level make node p of the next, and an odd last node moves up
// unchanged. One block of up to 512 threads; s0 and s1 hold (count + 1) / 2 hashes each and
// alternate as levels; root gets 8 words. The leaves are left as they are.
extern "C" __global__ void __launch_bounds__(512)
    merkle_root(const unsigned int *__restrict__ leaves, int count, unsigned int *s0,
                unsigned int *s1, unsigned int *__restrict__ root) {
  const unsigned int *in = leaves;
  unsigned int *out = s0;
  while (count > 1) {
    const int pairs = count / 2;
    for (int p = threadIdx.x; p < pairs; p += blockDim.x) {
      unsigned int h[8];
      inner_hash(in + (size_t)16 * p, in + (size_t)16 * p + 8, h);
#pragma unroll
      for (int q = 0; q < 8; q++) {
        out[(size_t)8 * p + q] = h[q];
      }
    }
    if ((count & 1) && threadIdx.x == 0) {
#pragma unroll
      for (int q = 0; q < 8; q++) {
        out[(size_t)8 * pairs + q] = in[(size_t)8 * (count - 1) + q];
      }
    }
    __syncthreads();
    count = pairs + (count & 1);
    in = out;
    out = out == s0 ? s1 : s0;
  }
  if (threadIdx.x < 8) {
    root[threadIdx.x] = in[threadIdx.x];
  }
}
