package io.peerz.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.attest.Freivalds;
import io.peerz.attest.GemmInputs;
import io.peerz.attest.OutputCommitment;
import io.peerz.gpu.OutputFile;
import io.peerz.ledger.Hex;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code peerz verify-output}: Freivalds' check of a whole output against its job's inputs. */
@Command(
    name = "verify-output",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Check a whole int8-gemm output with Freivalds' check; exit 1 on reject.",
      "",
      "Check a whole int8-gemm output (n^2 little-endian int32, row-major, as run-workload",
      "writes it) against the inputs regenerated from workload, seed and job id, with",
      "Freivalds' check: O(rounds n^2), exact over the integers; a wrong output passes with",
      "probability at most 2^(-16 rounds). Exit 0 on accept, 1 on reject."
    })
final class VerifyOutputCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin WorkloadOptions job;

  @Parameters(index = "0", paramLabel = "<file>", description = "The output file.")
  Path file;

  @Option(
      names = "--rounds",
      paramLabel = "<n>",
      defaultValue = "4",
      description = "Freivalds rounds, 1..64 (default: ${DEFAULT-VALUE}: error at most 2^-64).")
  int rounds;

  @Option(
      names = "--freivalds-seed",
      paramLabel = "<hex>",
      description =
          "32 bytes (64 hex digits) for the random vectors; default: fresh random bytes, so the"
              + " producer of the output cannot know them in advance.")
  String freivaldsSeed;

  @Option(
      names = "--root",
      paramLabel = "<hex>",
      description =
          "Also require this output root, an attestation's output_root in 64 hex digits"
              + " (default: not compared).")
  String root;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    if (rounds < 1 || rounds > Freivalds.MAX_ROUNDS) {
      throw new CliException("--rounds must be in 1.." + Freivalds.MAX_ROUNDS + ", got " + rounds);
    }
    if (job.workload.isFloat()) {
      throw new CliException(
          "verify-output checks int8-gemm outputs with Freivalds' exact check; "
              + job.workload.name()
              + " outputs have no whole-output check (the chain checks their sampled rows"
              + " against a tolerance, docs/attestation.md)");
    }
    GemmInputs in = job.inputs();
    int n = in.n();
    int[] c = OutputFile.read(file, n);
    byte[] vectors;
    if (freivaldsSeed != null) {
      vectors = Hex.decode(freivaldsSeed);
      if (vectors.length != 32) {
        throw new CliException("--freivalds-seed must be 32 bytes, got " + vectors.length);
      }
    } else {
      vectors = new byte[32];
      ((PeerzCli) spec.root().userObject()).random.nextBytes(vectors);
    }
    byte[] outputRoot = OutputCommitment.of(n, c).root();
    boolean product = Freivalds.verify(in, c, vectors, rounds);
    boolean rootMatches = root == null || Arrays.equals(Hex.decode(root), outputRoot);
    boolean accept = product && rootMatches;
    String reason;
    if (!product) {
      reason = "C is not A x B: a Freivalds round failed (this never happens to a correct output)";
    } else if (!rootMatches) {
      reason = "the output's root differs from --root";
    } else {
      reason =
          "C = A x B passed "
              + rounds
              + " Freivalds rounds (wrong output: p <= 2^-"
              + 16 * rounds
              + ")";
    }
    PrintWriter w = spec.commandLine().getOut();
    if (output.json()) {
      ObjectNode o = Json.MAPPER.createObjectNode();
      o.put("verdict", accept ? "accept" : "reject");
      o.put("reason", reason);
      o.put("workload", job.workload.name());
      o.put("job_id", job.jobId);
      o.put("rounds", rounds);
      o.put("output_root", Hex.encode(outputRoot));
      w.print(Json.pretty(o) + "\n");
    } else {
      w.println((accept ? "accept: " : "reject: ") + reason);
      w.println("output root " + Hex.encode(outputRoot));
    }
    w.flush();
    return accept ? 0 : 1;
  }
}
