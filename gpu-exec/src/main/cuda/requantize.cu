// The epilogue of one mlp-int8 layer on the device, so that the raw product never crosses the bus
// before it is a layer's result: accumulator = product + folded bias (bias_j - zx sum_k W[j][k]),
// then the int8 output as TensorFlow Lite's MultiplyByQuantizedMultiplier gives it, clamped. The
// CPU reference is io.peerz.attest.QuantizedLayer.forward with Requantization (docs/attestation.md);
// CudaBackendOnCpuTest checks this kernel against it byte for byte.
//
// A valid layer cannot overflow here: QuantizedLayer refuses one whose accumulator, shifted left
// by its channel's shift, could leave int32, so every sum and shift below is exact.
//
// The PTX beside this file is generated from it; the command is in regenerate-ptx.sh.

// gemmlowp's SaturatingRoundingDoublingHighMul: ab / 2^31 rounded to nearest, ties up; the one
// overflowing case a = b = -2^31 saturates. Division truncates toward zero, as Java's does.
__device__ __forceinline__ int rounding_doubling_high_mul(int a, int b) {
  if (a == b && a == (-2147483647 - 1)) {
    return 2147483647;
  }
  const long long ab = (long long)a * b;
  const long long nudge = ab >= 0 ? (1LL << 30) : (1LL - (1LL << 30));
  return (int)((ab + nudge) / (1LL << 31));
}

// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded half away from zero (exponent 0..31).
__device__ __forceinline__ int rounding_divide_by_pot(int x, int exponent) {
  const int mask = (int)((1LL << exponent) - 1);
  const int remainder = x & mask;
  const int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// c holds rows x cols int32 raw products X W^T, row-major; each becomes its accumulator (in
// place) and out gets the int8 output. folded has cols entries; multiplier and shift cols entries
// when per_channel, else one. low is the clamp's lower end (-128, or the output zero point under
// ReLU). Grid: rows x cols threads in all, 1-D.
extern "C" __global__ void __launch_bounds__(256)
    requantize_i8(int *__restrict__ c, int rows, int cols, const int *__restrict__ folded,
                  const int *__restrict__ multiplier, const int *__restrict__ shift,
                  int per_channel, int out_zero, int low, signed char *__restrict__ out) {
  const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= (long long)rows * cols) {
    return;
  }
  const int j = (int)(i % cols);
  const int acc = c[i] + folded[j];
  c[i] = acc;
  const int q = per_channel ? j : 0;
  const int s = shift[q];
  const int left = s > 0 ? s : 0;
  const int right = s > 0 ? 0 : -s;
  const int scaled =
      rounding_divide_by_pot(rounding_doubling_high_mul(acc * (1 << left), multiplier[q]), right);
  long long v = (long long)scaled + out_zero;
  v = v < low ? low : (v > 127 ? 127 : v);
  out[i] = (signed char)v;
}
