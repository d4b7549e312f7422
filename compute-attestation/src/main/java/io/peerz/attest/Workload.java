package io.peerz.attest;

/**
 * A workload defined by its name: {@code int8-gemm-<n>} is C = A x B for n x n INT8 matrices A and
 * B regenerated from (seed, job id), with C exact in INT32. n is a multiple of 64 in [64, 4096].
 */
public record Workload(int n) {
  /** Smallest matrix side. */
  public static final int MIN_N = 64;

  /** Largest matrix side: keeps every sum of products inside int32 (see docs/attestation.md). */
  public static final int MAX_N = 4096;

  /** Every side is a multiple of this, so a row is a whole number of SHA-256 blocks. */
  public static final int N_STEP = 64;

  private static final String PREFIX = "int8-gemm-";

  /** Checks n's range and step. */
  public Workload {
    if (n < MIN_N || n > MAX_N || n % N_STEP != 0) {
      throw new IllegalArgumentException(
          "int8-gemm size "
              + n
              + " must be a multiple of "
              + N_STEP
              + " between "
              + MIN_N
              + " and "
              + MAX_N);
    }
  }

  /**
   * Parses {@code int8-gemm-<n>} with n written in plain decimal (no sign, no leading zero), so
   * every workload has exactly one name; throws IllegalArgumentException otherwise.
   */
  public static Workload parse(String name) {
    if (name == null || !name.startsWith(PREFIX)) {
      throw new IllegalArgumentException(
          "unknown workload " + quote(name) + "; expected int8-gemm-<n>");
    }
    String digits = name.substring(PREFIX.length());
    if (digits.isEmpty()
        || digits.length() > 4
        || digits.charAt(0) == '0'
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          "workload " + quote(name) + " must end in a decimal size, e.g. int8-gemm-1024");
    }
    return new Workload(Integer.parseInt(digits));
  }

  /** The canonical name, {@code int8-gemm-<n>}. */
  public String name() {
    return PREFIX + n;
  }

  /** Multiply-accumulate operations of one run: n^3. */
  public long multiplyAdds() {
    return (long) n * n * n;
  }

  @Override
  public String toString() {
    return name();
  }

  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() <= 40 ? "'" + s + "'" : "'" + s.substring(0, 37) + "...'";
  }
}
