package io.peerz.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.attest.Fp32GemmInputs;
import io.peerz.attest.GemmInputs;
import io.peerz.attest.OutputCommitment;
import io.peerz.attest.Workload;
import io.peerz.gpu.CpuBackend;
import io.peerz.gpu.GemmBackend;
import io.peerz.gpu.GemmBackends;
import io.peerz.gpu.OutputFile;
import io.peerz.ledger.Hex;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code peerz run-workload}: compute one job's output and write it for verify-output. */
@Command(
    name = "run-workload",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Compute one job's int8-gemm output and write it to a file.",
      "",
      "Regenerate a job's inputs from its workload, seed and job id, compute C = A x B on the",
      "GPU (CPU fallback) and write C as n^2 little-endian int32 (float32 for fp32-gemm-<n>,",
      "on the GPU's FP32 kernel, or the CPU where it has none), row-major, no header.",
      "Prints the output root an attestation commits to."
    })
final class RunWorkloadCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin WorkloadOptions job;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "<file>",
      description = "Where to write the output.")
  Path out;

  @Option(
      names = "--backend",
      paramLabel = "<backend>",
      defaultValue = "auto",
      converter = WorkloadOptions.BackendConverter.class,
      description = "auto (GPU when present, else CPU), cpu or cuda (default: auto).")
  GemmBackends.Choice backend;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    Workload workload = job.workload;
    GemmBackends.Detected detected = GemmBackends.detect(backend);
    int[] c;
    long nanos;
    String ran;
    try (GemmBackend b = detected.backend()) {
      if (workload.isFloat()) {
        // An fp32 output is written as its float bits: n^2 little-endian float32.
        Fp32GemmInputs in = Fp32GemmInputs.generate(workload, job.seedBytes(), job.jobId);
        try (GemmBackend f = b.supportsFloat() ? b : new CpuBackend()) {
          long t0 = System.nanoTime();
          c = OutputCommitment.floatBits(f.multiplyFloat(in.n(), in.a(), in.b()));
          nanos = System.nanoTime() - t0;
          ran = f.name();
        }
      } else {
        GemmInputs in = job.inputs();
        long t0 = System.nanoTime();
        c = b.multiply(in.n(), in.a(), in.b());
        nanos = System.nanoTime() - t0;
        ran = b.name();
      }
    }
    OutputFile.write(out, c);
    String root = Hex.encode(OutputCommitment.of(workload.n(), c).root());
    PrintWriter w = spec.commandLine().getOut();
    if (output.json()) {
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("file", out.toString());
      n.put("workload", job.workload.name());
      n.put("job_id", job.jobId);
      n.put("bytes", 4L * c.length);
      n.put("output_root", root);
      n.put("backend", ran);
      n.put("millis", nanos / 1_000_000);
      w.print(Json.pretty(n) + "\n");
    } else {
      w.printf(
          "wrote %s: %s job %d, %d bytes, output root %s (%s, %d ms)%n",
          out, job.workload.name(), job.jobId, 4L * c.length, root, ran, nanos / 1_000_000);
    }
    w.flush();
    return 0;
  }
}
