package io.peerz.cli;

import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.MsgClosePool;
import io.peerz.ledger.proto.MsgCommitResult;
import io.peerz.ledger.proto.MsgCreatePool;
import io.peerz.ledger.proto.MsgJoinPool;
import io.peerz.ledger.proto.MsgLeavePool;
import io.peerz.ledger.proto.MsgRegisterExecutor;
import io.peerz.ledger.proto.MsgRevealRows;
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
        names = "--model",
        required = true,
        paramLabel = "<workload>",
        description = "Workload every job runs, e.g. int8-gemm-1024.")
    String model;

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
        description = "Escrowed from the creator until the pool closes.")
    long deposit;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setCreatePool(
          MsgCreatePool.newBuilder()
              .setTemplate(template)
              .setModel(model)
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

    @Override
    void setMessage(TxBody.Builder body) {
      body.setRegisterExecutor(
          MsgRegisterExecutor.newBuilder()
              .setSubnetId(subnetId)
              .setNodeId(nodeId)
              .setExecutorPubKey(ByteString.copyFrom(ExecutorKey.read(executorKey).publicKey()))
              .setHardwareClass(hardwareClass));
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
}
