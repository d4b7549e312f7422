package io.peerz.attest;

import java.util.Locale;

/**
 * Measures max |c - r| / tol of {@link FloatRowCheck} over sampled rows of fp32-gemm-n for every
 * honest summation order of {@link FloatOrders} and for cheaters computing from bfloat16- or
 * TF32-rounded inputs. Run by FloatRowCheckTest (n = 64..1024) and, for the figures in
 * docs/attestation.md, by {@link #main}.
 */
final class FloatCalibration {
  /** One size's figures: the worst honest ratio per order, and the smallest cheater row ratio. */
  record Figures(int n, double[] honestMax, double bf16MinRowMax, double tf32MinRowMax) {}

  private FloatCalibration() {}

  /**
   * For {@code rows} rows of the job (seed, job id) at side n: each order's largest ratio over all
   * sampled entries, and, for the cheater computing from bfloat16-rounded inputs, the smallest over
   * the sampled rows of the row's largest ratio (the row is caught when that is above 1).
   */
  static Figures measure(int n, int rows, byte[] seed, long jobId) {
    Workload w = new Workload(Workload.Kind.FP32, n);
    float[] b = Fp32GemmInputs.matrixB(w, seed, jobId);
    float[] b16 = FloatOrders.bfloat16(b);
    float[] b32 = FloatOrders.tf32(b);
    float[][] a = new float[rows][];
    for (int s = 0; s < rows; s++) {
      a[s] = Fp32GemmInputs.rowOfA(w, seed, jobId, (int) ((long) s * n / rows));
    }
    FloatRowCheck.Rows ref = FloatRowCheck.recompute(n, a, b);
    FloatOrders[] orders = FloatOrders.values();
    double[] honestMax = new double[orders.length];
    double bf16Min = Double.POSITIVE_INFINITY;
    double tf32Min = Double.POSITIVE_INFINITY;
    for (int s = 0; s < rows; s++) {
      float[] r = ref.values()[s];
      double[] tol = ref.tolerances()[s];
      for (int o = 0; o < orders.length; o++) {
        float[] c = orders[o].row(a[s], b, n);
        honestMax[o] = Math.max(honestMax[o], FloatRowCheck.maxRatio(c, r, tol));
      }
      float[] cheat = FloatOrders.ROW_MAJOR.row(FloatOrders.bfloat16(a[s]), b16, n);
      bf16Min = Math.min(bf16Min, FloatRowCheck.maxRatio(cheat, r, tol));
      float[] tf = FloatOrders.ROW_MAJOR.row(FloatOrders.tf32(a[s]), b32, n);
      tf32Min = Math.min(tf32Min, FloatRowCheck.maxRatio(tf, r, tol));
    }
    return new Figures(n, honestMax, bf16Min, tf32Min);
  }

  /** Prints the calibration table for the sizes given (default 64 .. 4096), 16 rows each. */
  public static void main(String[] args) {
    int[] sizes = args.length == 0 ? new int[] {64, 128, 256, 512, 1024, 2048, 4096} : null;
    if (sizes == null) {
      sizes = new int[args.length];
      for (int i = 0; i < args.length; i++) {
        sizes[i] = Integer.parseInt(args[i]);
      }
    }
    StringBuilder head = new StringBuilder("| n |");
    for (FloatOrders o : FloatOrders.values()) {
      head.append(' ').append(o.name().toLowerCase(Locale.ROOT)).append(" |");
    }
    System.out.println(head.append(" bf16 inputs (min row max) | tf32 inputs (min row max) |"));
    for (int n : sizes) {
      Figures f = measure(n, 16, Fixtures.SEED, Fixtures.JOB_ID);
      StringBuilder line = new StringBuilder("| " + n + " |");
      for (double v : f.honestMax()) {
        line.append(String.format(Locale.ROOT, " %.2e |", v));
      }
      line.append(String.format(Locale.ROOT, " %.2f |", f.bf16MinRowMax()));
      System.out.println(line.append(String.format(Locale.ROOT, " %.2f |", f.tf32MinRowMax())));
    }
  }
}
