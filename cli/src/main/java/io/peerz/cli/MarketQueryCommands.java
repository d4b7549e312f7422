package io.peerz.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The compute market's {@code peerz query} commands. */
final class MarketQueryCommands {
  private MarketQueryCommands() {}

  @Command(
      name = "pool",
      mixinStandardHelpOptions = true,
      description = "A pool: template, model, class, limits, price, deposit, members.")
  static final class Pool extends QueryCommand.AbciPath {
    @Parameters(paramLabel = "<pool-id>")
    long poolId;

    @Override
    String path() {
      return "/pool/" + poolId;
    }
  }

  @Command(name = "pools", mixinStandardHelpOptions = true, description = "Every pool.")
  static final class Pools extends QueryCommand.AbciPath {
    @Override
    String path() {
      return "/pools";
    }
  }

  @Command(
      name = "job",
      mixinStandardHelpOptions = true,
      description =
          "A job: status, executor, attestation, challenge, verification result, payment.")
  static final class Job extends QueryCommand.AbciPath {
    @Parameters(paramLabel = "<job-id>")
    long jobId;

    @Override
    String path() {
      return "/job/" + jobId;
    }
  }

  @Command(
      name = "job-fit",
      mixinStandardHelpOptions = true,
      description = {
        "Why a job is (not) taken: for every executor of its pool, 'eligible' or the rule that",
        "keeps it from the job (benchmark, class, node, reputation, failed_before,",
        "data_endpoint, slots), the same rules the scheduler applies."
      })
  static final class JobFit extends QueryCommand.AbciPath {
    @Parameters(paramLabel = "<job-id>")
    long jobId;

    @Override
    String path() {
      return "/job-fit/" + jobId;
    }

    @Override
    void print(com.fasterxml.jackson.databind.JsonNode v) {
      java.io.PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "job %s (%s) in pool %s (%s on %s):%n",
          v.path("job_id").asText(),
          v.path("status").asText(),
          v.path("pool_id").asText(),
          v.path("workload").asText(),
          v.path("hardware_class").asText());
      for (com.fasterxml.jackson.databind.JsonNode e : v.path("executors")) {
        out.printf(
            "  %s  %-13s %s%n",
            e.path("executor").asText(), e.path("fit").asText(), e.path("detail").asText());
      }
      out.println(v.path("summary").asText());
      out.flush();
    }
  }

  @Command(
      name = "executor",
      mixinStandardHelpOptions = true,
      description = "An executor: node, class, benchmark, efficiency, reputation, earnings.")
  static final class Executor extends QueryCommand.AbciPath {
    @Parameters(paramLabel = "<0xaddr|key-file>")
    String executor;

    @Option(names = "--jobs", description = "List its open jobs instead.")
    boolean jobs;

    @Override
    String path() {
      return "/executor/" + ExecutorKey.address(executor) + (jobs ? "/jobs" : "");
    }
  }

  @Command(
      name = "executors",
      mixinStandardHelpOptions = true,
      description = "A subnet's executors.")
  static final class Executors extends QueryCommand.AbciPath {
    @Parameters(paramLabel = "<subnet-id>")
    long subnetId;

    @Override
    String path() {
      return "/executors/" + subnetId;
    }
  }
}
