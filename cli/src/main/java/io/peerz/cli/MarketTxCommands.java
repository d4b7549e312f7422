package io.peerz.cli;

import com.google.protobuf.ByteString;
import io.peerz.attest.ModelCommitment;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.MsgCancelJob;
import io.peerz.ledger.proto.MsgClosePool;
import io.peerz.ledger.proto.MsgCommitResult;
import io.peerz.ledger.proto.MsgCreatePool;
import io.peerz.ledger.proto.MsgDisputeEntry;
import io.peerz.ledger.proto.MsgJoinPool;
import io.peerz.ledger.proto.MsgLeavePool;
import io.peerz.ledger.proto.MsgPostRows;
import io.peerz.ledger.proto.MsgRegisterExecutor;
import io.peerz.ledger.proto.MsgReportMissingInputs;
import io.peerz.ledger.proto.MsgRequestRows;
import io.peerz.ledger.proto.MsgRevealEntries;
import io.peerz.ledger.proto.MsgRevealRows;
import io.peerz.ledger.proto.MsgSetDataUrl;
import io.peerz.ledger.proto.MsgSubmitJob;
import io.peerz.ledger.proto.TxBody;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The compute market's {@code peerz tx} commands (pools, executors, jobs, commit, reveal). */
final class MarketTxCommands {
  private MarketTxCommands() {}

  @Command(
      name = "create-pool",
      mixinStandardHelpOptions = true,
      description =
          "Create a compute pool from a template; the deposit is escrowed until the pool closes.")
  static final class CreatePool extends TxSubcommand {
    @Option(
        names = "--template",
        required = true,
        paramLabel = "<gpu|proxy|custom>",
        description = "Pool template.")
    String template;

    @Option(
        names = "--workload",
        paramLabel = "<workload>",
        description =
            "What every job runs: gemm-int8 (C = A x B on each buyer's own int8 matrices, see"
                + " peerz job submit), mlp-int8 (the --model file on each buyer's int8 batch) or a"
                + " seeded benchmark workload such as int8-gemm-1024. Required, unless the older"
                + " --model names the seeded workload.")
    String workload;

    @Option(
        names = "--model",
        paramLabel = "<file|workload>",
        description =
            "mlp-int8: the .safetensors model (checked here: format, tensors, shapes, ranges, int32"
                + " overflow; the pool commits to its root). Otherwise the seeded workload, e.g."
                + " int8-gemm-1024 (the older name of --workload). Required for mlp-int8; default:"
                + " none.")
    String model;

    @Option(
        names = "--model-url",
        paramLabel = "<url>",
        description =
            "mlp-int8: where executors GET the model file (http(s); they fetch it once, check it"
                + " against the pool's root and keep it). Required for mlp-int8; default: none.")
    String modelUrl;

    @Option(
        names = "--hardware-class",
        required = true,
        paramLabel = "<class>",
        description = "Least hardware class an executor needs (see query params).")
    String hardwareClass;

    @Option(
        names = "--limit",
        required = true,
        paramLabel = "<slots>",
        description = "Most slots providers may join with, in total.")
    long limit;

    @Option(
        names = "--per-user",
        defaultValue = "1",
        paramLabel = "<n>",
        description = "Most unfinished jobs per submitter (default: ${DEFAULT-VALUE}).")
    long perUser = 1;

    @Option(
        names = "--price",
        required = true,
        converter = AmountConverter.class,
        paramLabel = "<amount>",
        description = "Paid per verified job to the executor's node coldkey.")
    long price;

    @Option(
        names = "--deposit",
        converter = AmountConverter.class,
        paramLabel = "<amount>",
        defaultValue = "0",
        description =
            "Escrowed from the creator until the pool closes (default: ${DEFAULT-VALUE}).")
    long deposit;

    @Override
    void setMessage(TxBody.Builder body) {
      if (workload == null && model == null) {
        throw new CliException(
            "give --workload gemm-int8 (buyers' own matrices) or --workload int8-gemm-<n>");
      }
      MsgCreatePool.Builder m = MsgCreatePool.newBuilder();
      String seeded = model;
      if ("mlp-int8".equals(workload)) {
        if (model == null || modelUrl == null) {
          throw new CliException(
              "an mlp-int8 pool needs --model FILE.safetensors and --model-url URL (where"
                  + " executors fetch that file)");
        }
        Path file = Path.of(model);
        ModelCommitment c = ModelCommitment.of(InferenceFiles.readModel(file));
        try {
          m.setModelCommitment(c.committed().toByteString())
              .setModelUrl(modelUrl)
              .setModelFileBytes(Files.size(file));
        } catch (IOException e) {
          throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
        seeded = null;
      }
      body.setCreatePool(
          m.setTemplate(template)
              .setWorkload(workload == null ? "" : workload)
              .setModel(seeded == null ? "" : seeded)
              .setHardwareClass(hardwareClass)
              .setLimit(limit)
              .setPerUser(perUser)
              .setPrice(price)
              .setDeposit(deposit));
    }
  }

  @Command(
      name = "register-executor",
      mixinStandardHelpOptions = true,
      description = {
        "Bind an executor key to your subnet node (signed by the node's coldkey).",
        "The executor then gets a benchmark job: run 'peerz server' to pass it."
      })
  static final class RegisterExecutor extends TxSubcommand {
    @Option(names = "--subnet-id", required = true, paramLabel = "<id>", description = "Subnet.")
    long subnetId;

    @Option(
        names = {"--node-id", "--subnet-node-id"},
        paramLabel = "<id>",
        description = "Node id (default 0: the signer's only node in the subnet).")
    long nodeId;

    @Option(
        names = "--executor-key",
        required = true,
        paramLabel = "<file>",
        description = "The executor's key file (peerz keys add-executor).")
    Path executorKey;

    @Option(
        names = "--hardware-class",
        required = true,
        paramLabel = "<class>",
        description = "The executor's hardware class (peerz evaluate tells which).")
    String hardwareClass;

    @Option(
        names = "--data-url",
        paramLabel = "<url>",
        description =
            "Its data endpoint (http://host:port) for data jobs (default: none until 'peerz"
                + " server' announces its own).")
    String dataUrl;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setRegisterExecutor(
          MsgRegisterExecutor.newBuilder()
              .setSubnetId(subnetId)
              .setNodeId(nodeId)
              .setExecutorPubKey(ByteString.copyFrom(ExecutorKey.read(executorKey).publicKey()))
              .setHardwareClass(hardwareClass)
              .setDataUrl(dataUrl == null ? "" : dataUrl));
    }
  }

  /** The pool id and executor of join-pool and leave-pool. */
  abstract static class PoolMembership extends TxSubcommand {
    @Parameters(index = "0", paramLabel = "<pool-id>", description = "Pool id.")
    long poolId;

    @Option(
        names = "--executor",
        paramLabel = "<file|0xaddr>",
        description = "The executor (key file or address); default: the signer's only executor.")
    String executor;

    ByteString executorBytes() {
      return executor == null
          ? ByteString.EMPTY
          : ByteString.copyFrom(ExecutorKey.address(executor).bytes());
    }
  }

  @Command(
      name = "join-pool",
      mixinStandardHelpOptions = true,
      description = "Offer your executor's slots to a pool (signed by its node's coldkey).")
  static final class JoinPool extends PoolMembership {
    @Option(
        names = {"--slots", "-n"},
        required = true,
        paramLabel = "<n>",
        description = "Jobs the executor takes at once in this pool.")
    long slots;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setJoinPool(
          MsgJoinPool.newBuilder().setPoolId(poolId).setSlots(slots).setExecutor(executorBytes()));
    }
  }

  @Command(
      name = "leave-pool",
      mixinStandardHelpOptions = true,
      description = "Take your executor out of a pool (once it has no open job there).")
  static final class LeavePool extends PoolMembership {
    @Override
    void setMessage(TxBody.Builder body) {
      body.setLeavePool(MsgLeavePool.newBuilder().setPoolId(poolId).setExecutor(executorBytes()));
    }
  }

  @Command(
      name = "close-pool",
      mixinStandardHelpOptions = true,
      description = "Close your pool (no unfinished jobs); the deposit comes back.")
  static final class ClosePool extends TxSubcommand {
    @Parameters(index = "0", paramLabel = "<pool-id>", description = "Pool id.")
    long poolId;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setClosePool(MsgClosePool.newBuilder().setPoolId(poolId));
    }
  }

  @Command(
      name = "submit-job",
      mixinStandardHelpOptions = true,
      description = {
        "Submit a job to a pool; max-budget is escrowed, the price paid from it on verified",
        "completion and the rest refunded (all of it when the job fails)."
      })
  static final class SubmitJob extends TxSubcommand {
    @Option(names = "--pool", required = true, paramLabel = "<id>", description = "Pool id.")
    long pool;

    @Option(
        names = "--input-seed",
        required = true,
        paramLabel = "<seed>",
        description =
            "32-byte seed of the inputs: a decimal number (256-bit big-endian) or 0x + hex.")
    String seed;

    @Option(
        names = "--max-budget",
        required = true,
        converter = AmountConverter.class,
        paramLabel = "<amount>",
        description = "Most the job may cost; escrowed.")
    long maxBudget;

    private byte[] seedBytes() {
      try {
        return InputSeed.parse(seed);
      } catch (picocli.CommandLine.TypeConversionException e) {
        throw new CliException("--input-seed: " + e.getMessage());
      }
    }

    @Override
    void setMessage(TxBody.Builder body) {
      body.setSubmitJob(
          MsgSubmitJob.newBuilder()
              .setPoolId(pool)
              .setInputSeed(ByteString.copyFrom(seedBytes()))
              .setMaxBudget(maxBudget));
    }
  }

  @Command(
      name = "cancel-job",
      mixinStandardHelpOptions = true,
      description = {
        "Cancel your job while it is still queued (no executor took it yet): its whole budget",
        "comes back. 'peerz query job-fit ID' says why no executor takes it."
      })
  static final class CancelJob extends TxSubcommand {
    @Parameters(index = "0", paramLabel = "<job-id>", description = "Job id.")
    long jobId;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setCancelJob(MsgCancelJob.newBuilder().setJobId(jobId));
    }
  }

  @Command(
      name = "request-rows",
      mixinStandardHelpOptions = true,
      description = {
        "Ask the executor of your verified data job to post rows of its output on chain, when",
        "you cannot download it. It must post them with proofs within",
        "params.availability_timeout_blocks, or it is slashed and your budget refunded."
      })
  static final class RequestRows extends TxSubcommand {
    @Parameters(index = "0", paramLabel = "<job-id>", description = "Job id.")
    long jobId;

    @Option(
        names = "--rows",
        required = true,
        split = ",",
        paramLabel = "<row>",
        description = "Rows of the output, e.g. 0,17,511 (at most params.availability_max_rows).")
    java.util.List<Integer> rows;

    @Option(
        names = "--matrix",
        defaultValue = "c",
        paramLabel = "<name>",
        description = "The output matrix's name (default: ${DEFAULT-VALUE}).")
    String outputName = "c";

    @Override
    void setMessage(TxBody.Builder body) {
      body.setRequestRows(
          MsgRequestRows.newBuilder().setJobId(jobId).setOutput(outputName).addAllRows(rows));
    }
  }

  /** Commit and reveal are signed by the executor's key file, not a keyring key. */
  abstract static class ExecutorTx extends TxSubcommand {
    @Option(
        names = "--executor-key",
        required = true,
        paramLabel = "<file>",
        description = "The executor's key file; it signs and pays the fee.")
    Path executorKey;

    @Option(names = "--job-id", required = true, paramLabel = "<id>", description = "Job id.")
    long jobId;

    @Override
    Ed25519KeyPair signingKey() {
      return ExecutorKey.read(executorKey);
    }

    @Override
    Signer signerWithoutSecrets() {
      Ed25519KeyPair key = ExecutorKey.read(executorKey);
      return new Signer(key.address(), key.publicKey());
    }

    static ByteString bytes(String hexOrFile) {
      if (hexOrFile.startsWith("@")) {
        try {
          return ByteString.copyFrom(Files.readAllBytes(Path.of(hexOrFile.substring(1))));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return ByteString.copyFrom(Hex.decode(hexOrFile));
    }
  }

  @Command(
      name = "commit-result",
      mixinStandardHelpOptions = true,
      description = "Commit a job's output: a SignedAttestation (peerz server does this).")
  static final class CommitResult extends ExecutorTx {
    @Option(
        names = "--signed-attestation",
        required = true,
        paramLabel = "<hex|@file>",
        description = "The SignedAttestation's protobuf bytes, in hex or @file.")
    String attestation;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setCommitResult(
          MsgCommitResult.newBuilder().setJobId(jobId).setSignedAttestation(bytes(attestation)));
    }
  }

  @Command(
      name = "reveal-rows",
      mixinStandardHelpOptions = true,
      description = "Answer a job's challenge with the sampled rows (peerz server does this).")
  static final class RevealRows extends ExecutorTx {
    @Option(
        names = "--reveal",
        required = true,
        paramLabel = "<hex|@file>",
        description = "The Reveal's protobuf bytes, in hex or @file.")
    String reveal;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setRevealRows(MsgRevealRows.newBuilder().setJobId(jobId).setReveal(bytes(reveal)));
    }
  }

  @Command(
      name = "reveal-entries",
      mixinStandardHelpOptions = true,
      description =
          "Answer a data job's challenge with the sampled entries (peerz server does this).")
  static final class RevealEntries extends ExecutorTx {
    @Option(
        names = "--reveal",
        required = true,
        paramLabel = "<hex|@file>",
        description = "The EntryReveal's protobuf bytes, in hex or @file.")
    String reveal;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setRevealEntries(MsgRevealEntries.newBuilder().setJobId(jobId).setReveal(bytes(reveal)));
    }
  }

  @Command(
      name = "post-rows",
      mixinStandardHelpOptions = true,
      description =
          "Answer an availability request with the requested rows (peerz server does this).")
  static final class PostRows extends ExecutorTx {
    @Option(
        names = "--rows",
        required = true,
        paramLabel = "<hex|@file>",
        description = "The PostedRows' protobuf bytes, in hex or @file.")
    String rows;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setPostRows(MsgPostRows.newBuilder().setJobId(jobId).setRows(bytes(rows)));
    }
  }

  @Command(
      name = "report-missing-inputs",
      mixinStandardHelpOptions = true,
      description = {
        "Report that an assigned data job's inputs never arrived (peerz server does this once",
        "params.input_timeout_blocks have passed): the job is refunded, nobody is slashed."
      })
  static final class ReportMissingInputs extends ExecutorTx {
    @Option(
        names = "--detail",
        paramLabel = "<text>",
        description = "What did not arrive (default: empty).")
    String detail = "";

    @Override
    void setMessage(TxBody.Builder body) {
      body.setReportMissingInputs(
          MsgReportMissingInputs.newBuilder().setJobId(jobId).setDetail(detail));
    }
  }

  @Command(
      name = "set-data-url",
      mixinStandardHelpOptions = true,
      description =
          "Announce an executor's data endpoint, signed by its key (peerz server does this).")
  static final class SetDataUrl extends TxSubcommand {
    @Option(
        names = "--executor-key",
        required = true,
        paramLabel = "<file>",
        description = "The executor's key file; it signs and pays the fee.")
    Path executorKey;

    @Parameters(index = "0", paramLabel = "<url>", description = "e.g. http://203.0.113.7:8091")
    String url;

    @Override
    Ed25519KeyPair signingKey() {
      return ExecutorKey.read(executorKey);
    }

    @Override
    void setMessage(TxBody.Builder body) {
      body.setSetDataUrl(MsgSetDataUrl.newBuilder().setDataUrl(url));
    }
  }

  @Command(
      name = "dispute-entry",
      mixinStandardHelpOptions = true,
      description = {
        "Send a prepared dispute (a RevealedEntry); 'peerz job dispute' builds it from a.npy,",
        "b.npy and c.npy and is what a buyer runs."
      })
  static final class DisputeEntry extends TxSubcommand {
    @Option(names = "--job-id", required = true, paramLabel = "<id>", description = "Job id.")
    long jobId;

    @Option(
        names = "--entry",
        required = true,
        paramLabel = "<hex|@file>",
        description = "The RevealedEntry's protobuf bytes, in hex or @file.")
    String entry;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setDisputeEntry(
          MsgDisputeEntry.newBuilder().setJobId(jobId).setEntry(ExecutorTx.bytes(entry)));
    }
  }
}
