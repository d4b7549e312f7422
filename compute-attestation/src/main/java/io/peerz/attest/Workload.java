package io.peerz.attest;

/**
 * A workload defined by its name: {@code int8-gemm-<n>} is C = A x B for n x n INT8 matrices A and
 * B regenerated from (seed, job id), with C exact in INT32; {@code fp32-gemm-<n>} is the same
 * product over float32 inputs, checked against a tolerance ({@link FloatRowCheck}). n is a multiple
 * of 64 in [64, 4096].
 */
public record Workload(Kind kind, int n) {
  /** Smallest matrix side. */
  public static final int MIN_N = 64;

  /** Largest matrix side: keeps every sum of products inside int32 (see docs/attestation.md). */
  public static final int MAX_N = 4096;

  /** Every side is a multiple of this, so a row is a whole number of SHA-256 blocks. */
  public static final int N_STEP = 64;

  /** The element type of a workload, which decides how a revealed row is checked. */
  public enum Kind {
    /** INT8 x INT8 -> INT32, exact: a revealed row must equal the recomputed one bit for bit. */
    INT8("int8-gemm-"),
    /** FP32 x FP32 -> FP32: a revealed row must lie within the calibrated tolerance. */
    FP32("fp32-gemm-");

    private final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }

    /** The name's prefix, e.g. {@code int8-gemm-}. */
    public String prefix() {
      return prefix;
    }
  }

  /** Checks the kind and n's range and step. */
  public Workload {
    if (kind == null) {
      throw new IllegalArgumentException("workload kind is null");
    }
    if (n < MIN_N || n > MAX_N || n % N_STEP != 0) {
      throw new IllegalArgumentException(
          kind.prefix().substring(0, kind.prefix().length() - 1)
              + " size "
              + n
              + " must be a multiple of "
              + N_STEP
              + " between "
              + MIN_N
              + " and "
              + MAX_N);
    }
  }

  /** The {@code int8-gemm-<n>} workload. */
  public Workload(int n) {
    this(Kind.INT8, n);
  }

  /**
   * Parses {@code int8-gemm-<n>} or {@code fp32-gemm-<n>} with n written in plain decimal (no sign,
   * no leading zero), so every workload has exactly one name; throws IllegalArgumentException
   * otherwise.
   */
  public static Workload parse(String name) {
    Kind kind = null;
    for (Kind k : Kind.values()) {
      if (name != null && name.startsWith(k.prefix())) {
        kind = k;
      }
    }
    if (kind == null) {
      throw new IllegalArgumentException(
          "unknown workload " + quote(name) + "; expected int8-gemm-<n> or fp32-gemm-<n>");
    }
    String digits = name.substring(kind.prefix().length());
    if (digits.isEmpty()
        || digits.length() > 4
        || digits.charAt(0) == '0'
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          "workload "
              + quote(name)
              + " must end in a decimal size, e.g. "
              + kind.prefix()
              + "1024");
    }
    return new Workload(kind, Integer.parseInt(digits));
  }

  /** The canonical name, {@code int8-gemm-<n>} or {@code fp32-gemm-<n>}. */
  public String name() {
    return kind.prefix() + n;
  }

  /** Whether outputs are float32 bits checked against a tolerance rather than exact int32. */
  public boolean isFloat() {
    return kind == Kind.FP32;
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
