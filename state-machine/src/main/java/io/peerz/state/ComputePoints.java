package io.peerz.state;

import io.peerz.attest.Workload;
import io.peerz.state.proto.HardwareClassParam;
import io.peerz.state.proto.Params;
import java.math.BigInteger;

/**
 * The ComputeHorde arithmetic, in integers: expected time of a workload on a hardware class,
 * measured efficiency, and points = relative value x efficiency x verified worked time.
 */
final class ComputePoints {
  private ComputePoints() {}

  /** The class named {@code name} in the params, or null. */
  static HardwareClassParam hardwareClass(Params p, String name) {
    for (HardwareClassParam c : p.getHardwareClassesList()) {
      if (c.getName().equals(name)) {
        return c;
      }
    }
    return null;
  }

  /**
   * Milliseconds an {@code int8-gemm-n} job is expected to take on {@code cls}: the class's
   * benchmark time scaled by (n / n_benchmark)^3, at least 1.
   */
  static long expectedMillis(Params p, HardwareClassParam cls, Workload workload) {
    return expectedMillis(p, cls, workload.multiplyAdds());
  }

  /**
   * Milliseconds a job is expected to take on {@code cls}: its multiply-adds (n^3 seeded, m x k x n
   * for gemm-int8) at the class's benchmark speed, at least 1.
   */
  static long expectedMillis(Params p, HardwareClassParam cls, io.peerz.state.proto.Job job) {
    io.peerz.attest.DataWorkload data = io.peerz.attest.DataWorkload.parse(job.getWorkload());
    long work =
        data == null
            ? Workload.parse(job.getWorkload()).multiplyAdds()
            : data.usesModel() ? job.getMultiplyAdds() : data.multiplyAdds(job.getInputsList());
    return expectedMillis(p, cls, work);
  }

  private static long expectedMillis(Params p, HardwareClassParam cls, long multiplyAdds) {
    long bn = Workload.parse(p.getBenchmarkWorkload()).n();
    BigInteger num =
        BigInteger.valueOf(cls.getBenchmarkMillis()).multiply(BigInteger.valueOf(multiplyAdds));
    long out = num.divide(BigInteger.valueOf(bn).pow(3)).longValueExact();
    return Math.max(1, out);
  }

  /**
   * Efficiency in ppm from a benchmark that took {@code workedMillis}: expected / worked, in [1,
   * max_efficiency_ppm]. 1000000 means exactly as fast as the class is expected to be.
   */
  static long efficiencyPpm(Params p, HardwareClassParam cls, long workedMillis) {
    long eff =
        MsgContext.mulDiv(cls.getBenchmarkMillis(), MsgContext.PPM, Math.max(1, workedMillis));
    return Math.max(1, Math.min(p.getMaxEfficiencyPpm(), eff));
  }

  /**
   * Points of a verified job: relative value (ppm) x efficiency (ppm) x counted milliseconds /
   * 10^9, so a reference-class executor at efficiency 1 earns 1000000 points per second worked.
   */
  static long points(HardwareClassParam cls, long efficiencyPpm, long countedMillis) {
    return BigInteger.valueOf(cls.getRelativeValuePpm())
        .multiply(BigInteger.valueOf(efficiencyPpm))
        .multiply(BigInteger.valueOf(countedMillis))
        .divide(BigInteger.valueOf(1_000_000_000L))
        .longValueExact();
  }

  /** Scheduling score: relative value x efficiency / 10^6 (ppm of the reference class). */
  static long score(HardwareClassParam cls, long efficiencyPpm) {
    return MsgContext.mulDiv(cls.getRelativeValuePpm(), efficiencyPpm, MsgContext.PPM);
  }
}
