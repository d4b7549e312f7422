package io.peerz.cli;

import io.peerz.attest.GemmInputs;
import io.peerz.attest.Workload;
import io.peerz.gpu.GemmBackends;
import io.peerz.ledger.Hex;
import picocli.CommandLine.Option;

/** {@code --workload --seed --job-id}: one job's inputs, as an attestation names them. */
final class WorkloadOptions {
  @Option(
      names = "--workload",
      required = true,
      paramLabel = "<name>",
      converter = WorkloadConverter.class,
      description = "The workload, int8-gemm-<n> (n a multiple of 64 in 64..4096).")
  Workload workload;

  @Option(
      names = "--seed",
      required = true,
      paramLabel = "<hex>",
      description = "The job's 32-byte input seed, 64 hex digits (0x optional).")
  String seed;

  @Option(
      names = "--job-id",
      required = true,
      paramLabel = "<id>",
      description = "The job id the inputs are derived from.")
  long jobId;

  byte[] seedBytes() {
    byte[] s = Hex.decode(seed);
    if (s.length != GemmInputs.SEED_LENGTH) {
      throw new CliException(
          "--seed must be " + GemmInputs.SEED_LENGTH + " bytes (64 hex digits), got " + s.length);
    }
    return s;
  }

  GemmInputs inputs() {
    return GemmInputs.generate(workload, seedBytes(), jobId);
  }

  /** Parses {@code int8-gemm-<n>}. */
  static final class WorkloadConverter implements picocli.CommandLine.ITypeConverter<Workload> {
    @Override
    public Workload convert(String value) {
      return Workload.parse(value);
    }
  }

  /** Parses {@code auto|cpu|cuda}. */
  static final class BackendConverter
      implements picocli.CommandLine.ITypeConverter<GemmBackends.Choice> {
    @Override
    public GemmBackends.Choice convert(String value) {
      return GemmBackends.Choice.parse(value);
    }
  }
}
