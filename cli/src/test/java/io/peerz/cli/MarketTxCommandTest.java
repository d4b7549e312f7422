package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.genesis.PrivValidatorKeyFile;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.TxBody;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

class MarketTxCommandTest {
  @TempDir Path home;
  FakeNode node;

  @BeforeEach
  void start() throws Exception {
    node = new FakeNode();
    CliRun add =
        CliRun.run("keys", "add", "queen", "--keyring-backend", "test", "--home", home.toString());
    assertThat(add.exitCode()).as(add.err()).isZero();
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private CliRun tx(String... args) {
    String[] common = {"--home", home.toString(), "--node", node.url()};
    String[] all = new String[args.length + common.length + 1];
    all[0] = "tx";
    System.arraycopy(args, 0, all, 1, args.length);
    System.arraycopy(common, 0, all, 1 + args.length, common.length);
    return CliRun.run(all);
  }

  private TxBody lastBody() throws Exception {
    return Transactions.decode(node.broadcast.get(node.broadcast.size() - 1)).body();
  }

  @Test
  void createPoolCarriesEveryFlag() throws Exception {
    CliRun r =
        tx(
            "create-pool",
            "--template",
            "gpu",
            "--model",
            "int8-gemm-1024",
            "--hardware_class",
            "gpu-24gb",
            "--limit",
            "10",
            "--per-user",
            "1",
            "--price",
            "5",
            "--deposit",
            "1000",
            "--from",
            "queen");
    assertThat(r.exitCode()).as(r.err()).isZero();
    var m = lastBody().getCreatePool();
    assertThat(m.getTemplate()).isEqualTo("gpu");
    assertThat(m.getModel()).isEqualTo("int8-gemm-1024");
    assertThat(m.getHardwareClass()).isEqualTo("gpu-24gb");
    assertThat(m.getLimit()).isEqualTo(10);
    assertThat(m.getPerUser()).isEqualTo(1);
    assertThat(m.getPrice()).isEqualTo(5);
    assertThat(m.getDeposit()).isEqualTo(1000);
  }

  @Test
  void anMlpPoolCarriesItsModelsCommitmentAndABadModelIsRefusedBeforeSending() throws Exception {
    Path repo = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    Path model = repo.resolve("models/digits-mlp-int8.safetensors");
    String[] flags = {
      "create-pool",
      "--template",
      "gpu",
      "--workload",
      "mlp-int8",
      "--model",
      null,
      "--model-url",
      "http://127.0.0.1:9/m.safetensors",
      "--hardware-class",
      "cpu",
      "--limit",
      "4",
      "--price",
      "5",
      "--deposit",
      "100",
      "--from",
      "queen"
    };
    flags[6] = model.toString();
    CliRun r = tx(flags);
    assertThat(r.exitCode()).as(r.err()).isZero();
    var m = lastBody().getCreatePool();
    assertThat(m.getWorkload()).isEqualTo("mlp-int8");
    assertThat(m.getModel()).isEmpty();
    assertThat(m.getModelUrl()).isEqualTo("http://127.0.0.1:9/m.safetensors");
    assertThat(m.getModelFileBytes()).isEqualTo(java.nio.file.Files.size(model));
    var committed = io.peerz.attest.proto.CommittedModel.parseFrom(m.getModelCommitment());
    assertThat(io.peerz.attest.ModelCommitment.check(committed)).isNull();
    assertThat(Hex.encode(committed.getRoot().toByteArray()))
        .isEqualTo("ebe644701c681381c0628cccf7faaf06f386e2b567db195755b62d6bd23b1759");

    int sent = node.broadcast.size();
    byte[] bytes = java.nio.file.Files.readAllBytes(model);
    bytes[0] += 100; // the header length now runs past the JSON into the data
    flags[6] = java.nio.file.Files.write(home.resolve("bad.safetensors"), bytes).toString();
    CliRun bad = tx(flags);
    assertThat(bad.exitCode()).isNotZero();
    assertThat(bad.err()).contains("is not a valid mlp-int8 model");
    CliRun missing =
        tx(
            "create-pool",
            "--template",
            "gpu",
            "--workload",
            "mlp-int8",
            "--model",
            model.toString(),
            "--hardware-class",
            "cpu",
            "--limit",
            "4",
            "--price",
            "5",
            "--deposit",
            "100",
            "--from",
            "queen");
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.err()).contains("--model-url");
    assertThat(node.broadcast).as("nothing sent").hasSize(sent);
  }

  @Test
  void registerExecutorAndJoinPoolReadTheExecutorKeyFile() throws Exception {
    Path keyFile = home.resolve("executor.json");
    CliRun k =
        CliRun.run(
            "keys", "add-executor", keyFile.toString(), "--home", home.toString(), "-o", "json");
    assertThat(k.exitCode()).as(k.err()).isZero();
    var key = PrivValidatorKeyFile.read(keyFile);
    assertThat(k.out()).contains(key.address().toString()).doesNotContain("priv_key");
    assertThat(CliRun.run("keys", "add-executor", keyFile.toString()).exitCode()).isNotZero();
    CliRun r =
        tx(
            "register-executor",
            "--subnet-id",
            "1",
            "--executor-key",
            keyFile.toString(),
            "--hardware-class",
            "cpu",
            "--from",
            "queen");
    assertThat(r.exitCode()).as(r.err()).isZero();
    var m = lastBody().getRegisterExecutor();
    assertThat(m.getSubnetId()).isEqualTo(1);
    assertThat(m.getExecutorPubKey().toByteArray()).isEqualTo(key.publicKey());
    assertThat(m.getHardwareClass()).isEqualTo("cpu");
    r = tx("join-pool", "1", "--slots", "10", "--executor", keyFile.toString(), "--from", "queen");
    assertThat(r.exitCode()).as(r.err()).isZero();
    var j = lastBody().getJoinPool();
    assertThat(j.getPoolId()).isEqualTo(1);
    assertThat(j.getSlots()).isEqualTo(10);
    assertThat(j.getExecutor().toByteArray()).isEqualTo(key.address().bytes());
    r = tx("join-pool", "2", "-n", "3", "--from", "queen");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(lastBody().getJoinPool().getExecutor().isEmpty()).isTrue();
  }

  @Test
  void submitJobMapsTheSeedToThirtyTwoBytes() throws Exception {
    CliRun r =
        tx(
            "submit-job",
            "--pool",
            "1",
            "--input-seed",
            "42",
            "--max-budget",
            "40",
            "--from",
            "queen");
    assertThat(r.exitCode()).as(r.err()).isZero();
    var m = lastBody().getSubmitJob();
    assertThat(m.getPoolId()).isEqualTo(1);
    assertThat(m.getMaxBudget()).isEqualTo(40);
    assertThat(Hex.encode(m.getInputSeed().toByteArray())).isEqualTo("00".repeat(31) + "2a");
  }

  @Test
  void inputSeedsAreDecimalOrHexUpToThirtyTwoBytes() {
    assertThat(InputSeed.parse("0x2A")).isEqualTo(InputSeed.parse("42"));
    assertThat(Hex.encode(InputSeed.parse("0x" + "ff".repeat(32)))).isEqualTo("ff".repeat(32));
    assertThat(InputSeed.parse("0")).isEqualTo(new byte[32]);
    assertThatThrownBy(() -> InputSeed.parse("0x" + "ff".repeat(33)))
        .isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> InputSeed.parse("1".repeat(80)))
        .isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> InputSeed.parse("-1")).isInstanceOf(TypeConversionException.class);
  }

  @Test
  void faultyTakesAFractionOfRowsACorruptEntryOrNoServing() {
    assertThat(ServerCommand.faults(null).any()).isFalse();
    assertThat(ServerCommand.faults("skip-rows=0.1").skipRowsPpm()).isEqualTo(100_000);
    assertThat(ServerCommand.faults("corrupt-entry").corruptEntry()).isTrue();
    assertThat(ServerCommand.faults("no-serve").noServe()).isTrue();
    assertThatThrownBy(() -> ServerCommand.faults("rows=0.1")).isInstanceOf(CliException.class);
    assertThatThrownBy(() -> ServerCommand.faults("skip-rows=0")).isInstanceOf(CliException.class);
  }

  @Test
  void genesisValidateChecksTheMarketParams() throws Exception {
    Path h = home.resolve("node");
    assertThat(CliRun.run("init", "--home", h.toString(), "--chain-id", "c").exitCode()).isZero();
    assertThat(CliRun.run("genesis", "validate", "--home", h.toString()).exitCode()).isZero();
    Path genesis = h.resolve("config/genesis.json");
    var root =
        (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(genesis.toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) root.path("app_state").path("params"))
        .putArray("hardware_classes")
        .addObject()
        .put("name", "Bad Name")
        .put("relative_value_ppm", 1)
        .put("benchmark_millis", 1);
    java.nio.file.Files.writeString(genesis, Json.compact(root));
    CliRun r = CliRun.run("genesis", "validate", "--home", h.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("hardware_classes[0]");
  }
}
