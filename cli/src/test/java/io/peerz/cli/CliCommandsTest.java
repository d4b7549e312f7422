package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.genesis.GenesisDoc;
import io.peerz.genesis.GenesisFile;
import io.peerz.ledger.proto.TxBody;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliCommandsTest {
  @TempDir Path home;

  private CliRun init(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("init", "--home", home.toString(), "--chain-id", "peerz-t", "--moniker", "m1"));
    args.addAll(List.of(extra));
    return CliRun.run(args.toArray(String[]::new));
  }

  @Test
  void initWritesAOneValidatorHomeWithAFundedValidatorKey() throws Exception {
    CliRun r = init("--epoch-length", "5");

    assertThat(r.exitCode()).as(r.err()).isZero();
    for (String f :
        List.of(
            "config/genesis.json",
            "config/priv_validator_key.json",
            "config/node_key.json",
            "config/config.toml",
            "data/priv_validator_state.json",
            "keyring-test/validator.json")) {
      assertThat(home.resolve(f)).as(f).exists();
    }
    GenesisDoc g = GenesisFile.read(home.resolve("config/genesis.json"));
    assertThat(g.chainId()).isEqualTo("peerz-t");
    assertThat(g.validators()).singleElement().satisfies(v -> assertThat(v.power()).isEqualTo(10));
    JsonNode app = Json.parse(g.appStateJson(), "app_state");
    assertThat(app.at("/params/epoch_length").asLong()).isEqualTo(5);
    CliRun show = CliRun.run("keys", "show", "validator", "-a", "--home", home.toString());
    assertThat(app.at("/accounts/0/address").asText()).isEqualTo(show.out().trim());
    assertThat(app.at("/accounts/0/balance").asText()).isEqualTo("1000000000");
    String toml = Files.readString(home.resolve("config/config.toml"));
    assertThat(toml)
        .contains("moniker = \"m1\"")
        .contains("tcp://127.0.0.1:26657")
        .contains("timeout_commit = \"1s\"");
    assertThat(r.out()).contains("node_id: ").doesNotContain("priv");
  }

  @Test
  void initRefusesToOverwriteWithoutTheFlag() throws Exception {
    assertThat(init().exitCode()).isZero();
    byte[] before = Files.readAllBytes(home.resolve("config/genesis.json"));

    CliRun again = init();

    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("--overwrite");
    assertThat(Files.readAllBytes(home.resolve("config/genesis.json"))).isEqualTo(before);
    assertThat(init("--overwrite").exitCode()).isZero();
    assertThat(Files.readAllBytes(home.resolve("config/genesis.json"))).isNotEqualTo(before);
  }

  @Test
  void genesisCommandsAddAccountsAndValidatorsAndValidate() {
    assertThat(init().exitCode()).isZero();
    String h = home.toString();
    String addr = "0x" + "ab".repeat(20);

    assertThat(CliRun.run("genesis", "add-account", addr, "42", "--home", h).exitCode()).isZero();
    CliRun dup = CliRun.run("genesis", "add-account", addr, "1", "--home", h);
    assertThat(dup.exitCode()).isEqualTo(1);
    assertThat(dup.err()).contains("app_state.accounts");
    String pub =
        java.util.Base64.getEncoder()
            .encodeToString(
                io.peerz.ledger.Ed25519KeyPair.generate(new SecureRandom()).publicKey());
    CliRun addVal =
        CliRun.run(
            "genesis",
            "add-validator",
            "--pub-key",
            pub,
            "--power",
            "5",
            "--name",
            "v2",
            "--home",
            h);
    assertThat(addVal.exitCode()).as(addVal.err()).isZero();
    CliRun v = CliRun.run("genesis", "validate", "--home", h);
    assertThat(v.exitCode()).isZero();
    assertThat(v.out()).contains("is valid").contains("2 validator(s)");
  }

  @Test
  void genesisValidateNamesTheBadField() throws Exception {
    assertThat(init().exitCode()).isZero();
    Path g = home.resolve("config/genesis.json");
    Files.writeString(g, Files.readString(g).replace("\"power\" : \"10\"", "\"power\" : \"ten\""));

    CliRun v = CliRun.run("genesis", "validate", "--home", home.toString());

    assertThat(v.exitCode()).isEqualTo(1);
    assertThat(v.err()).contains("validators[0].power");
  }

  @Test
  void keysAddListShowDeleteWithTheFileKeyring() {
    Map<String, String> env = Map.of(Passphrase.ENV, "a long passphrase");
    String h = home.toString();
    CliRun add = CliRun.run(env, "keys", "add", "alice", "--home", h);
    assertThat(add.exitCode()).as(add.err()).isZero();
    assertThat(add.out()).contains("address: 0x").contains("keyring: file");

    CliRun list = CliRun.run(env, "keys", "list", "--home", h);
    assertThat(list.out()).contains("alice").contains("(file)");
    CliRun peer = CliRun.run(env, "keys", "show", "alice", "--peer-id", "--home", h);
    assertThat(peer.out().trim()).startsWith("12D3KooW");

    assertThat(CliRun.run(env, "keys", "delete", "alice", "--yes", "--home", h).exitCode())
        .isZero();
    assertThat(CliRun.run(env, "keys", "show", "alice", "--home", h).exitCode()).isEqualTo(1);
  }

  @Test
  void keysExportIsEncryptedUnlessUnsafeAndImportsBack() throws Exception {
    String h = home.toString();
    assertThat(
            CliRun.run("keys", "add", "bob", "--keyring-backend", "test", "--home", h).exitCode())
        .isZero();
    Path file = home.resolve("bob.export");
    Map<String, String> env = Map.of(Passphrase.ENV, "export passphrase");

    CliRun sealed = CliRun.run(env, "keys", "export", "bob", "--out", file.toString(), "--home", h);
    assertThat(sealed.exitCode()).as(sealed.err()).isZero();
    assertThat(Files.readString(file)).contains("ciphertext").doesNotContain("priv_key_hex");
    CliRun plain = CliRun.run("keys", "export", "bob", "--unsafe", "--home", h);
    assertThat(plain.out()).contains("priv_key_hex");

    CliRun imported =
        CliRun.run(
            env,
            "keys",
            "import",
            "bob2",
            file.toString(),
            "--keyring-backend",
            "test",
            "--home",
            h);
    assertThat(imported.exitCode()).as(imported.err()).isZero();
    String bob = CliRun.run("keys", "show", "bob", "-a", "--home", h).out().trim();
    assertThat(CliRun.run("keys", "show", "bob2", "-a", "--home", h).out().trim()).isEqualTo(bob);
  }

  @Test
  void everyMessageOfTheProtocolHasATxCommand() {
    CommandLine tx =
        PeerzCli.commandLine(new PeerzCli(Map.of(), null, new SecureRandom()))
            .getSubcommands()
            .get("tx");
    List<String> names = new ArrayList<>(tx.getSubcommands().keySet());
    names.addAll(tx.getSubcommands().get("bank").getSubcommands().keySet());
    for (TxBody.MsgCase c : TxBody.MsgCase.values()) {
      if (c == TxBody.MsgCase.MSG_NOT_SET) {
        continue;
      }
      String expected = c.name().toLowerCase(Locale.ROOT).replace('_', '-');
      assertThat(names).as("tx command for " + c).contains(expected);
    }
  }

  @Test
  void everyKebabFlagAlsoAnswersToItsSnakeCaseSpelling() {
    CommandLine root = PeerzCli.commandLine(new PeerzCli(Map.of(), null, new SecureRandom()));
    CommandLine rs = root.getSubcommands().get("tx").getSubcommands().get("register-subnet");
    assertThat(rs.getCommandSpec().findOption("--min_stake")).isNotNull();
    assertThat(rs.getCommandSpec().findOption("--min_stake"))
        .isSameAs(rs.getCommandSpec().findOption("--min-stake"));
    assertThat(rs.getCommandSpec().findOption("--subnet_node_queue_epochs")).isNotNull();
    assertThat(rs.getCommandSpec().findOption("--keyring_backend")).isNotNull();
  }

  @Test
  void everyCommandHasHelp() {
    CommandLine root = PeerzCli.commandLine(new PeerzCli(Map.of(), null, new SecureRandom()));
    List<String[]> paths = new ArrayList<>();
    collect(root, new ArrayList<>(), paths);
    assertThat(paths).hasSizeGreaterThan(30);
    for (String[] p : paths) {
      String[] args = java.util.Arrays.copyOf(p, p.length + 1);
      args[p.length] = "--help";
      CliRun r = CliRun.run(args);
      assertThat(r.exitCode()).as(String.join(" ", args)).isZero();
      assertThat(r.out()).as(String.join(" ", args)).contains("Usage: peerz");
    }
  }

  private static void collect(CommandLine cl, List<String> prefix, List<String[]> out) {
    out.add(prefix.toArray(String[]::new));
    cl.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (name.equals("help") || !sub.getCommandName().equals(name)) {
                return;
              }
              List<String> p = new ArrayList<>(prefix);
              p.add(name);
              collect(sub, p, out);
            });
  }

  @Test
  void versionPrintsTheProjectVersion() {
    CliRun r = CliRun.run("version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("peerz 0.1.0");
  }

  @Test
  void noCommandIsAUsageError() {
    CliRun r = CliRun.run();
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing command");
  }
}
