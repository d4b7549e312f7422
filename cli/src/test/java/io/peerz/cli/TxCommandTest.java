package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.ledger.Ed25519;
import io.peerz.ledger.MalformedTxException;
import io.peerz.ledger.SignedTx;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.KeyType;
import io.peerz.ledger.proto.TxBody;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TxCommandTest {
  @TempDir Path home;
  FakeNode node;
  String alice;

  @BeforeEach
  void start() throws Exception {
    node = new FakeNode();
    CliRun add =
        CliRun.run(
            "keys",
            "add",
            "alice",
            "--keyring-backend",
            "test",
            "--home",
            home.toString(),
            "--output",
            "json");
    assertThat(add.exitCode()).as(add.err()).isZero();
    alice = Json.parse(add.out().getBytes(), "keys add").path("address").asText();
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

  private SignedTx lastTx() throws MalformedTxException {
    return Transactions.decode(node.broadcast.get(node.broadcast.size() - 1));
  }

  @Test
  void registerSubnetSignsABodyThatVerifiesWithEveryFlagInIt() throws Exception {
    CliRun r =
        tx(
            "register-subnet",
            "--name",
            "demo",
            "--repo",
            "github.com/demo/demo",
            "--description",
            "a demo",
            "--misc",
            "m",
            "--churn_limit",
            "64",
            "--min_stake",
            "100.00",
            "--max-stake",
            "1000",
            "--delegate_stake_percentage",
            "0.1",
            "--subnet_node_queue_epochs",
            "0",
            "--idle-classification-epochs",
            "1",
            "--included_classification_epochs",
            "1",
            "--max-node-penalties",
            "10",
            "--initial-coldkeys",
            alice + ":2," + "0x" + "11".repeat(20),
            "--max_registered_nodes",
            "10",
            "--key_types",
            "Rsa,ed25519",
            "--bootnodes",
            "/ip4/1.2.3.4/tcp/1",
            "--max-cost",
            "100",
            "--from",
            "alice");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("code: 0")
        .contains("height: 12")
        .contains("subnet_registered: subnet_id=1");
    SignedTx tx = lastTx();
    TxBody body = tx.body();
    assertThat(
            Ed25519.verify(
                body.getSignerPubKey().toByteArray(),
                tx.tx().getBody().toByteArray(),
                tx.tx().getSignature().toByteArray()))
        .isTrue();
    assertThat(tx.signer().toString()).isEqualTo(alice);
    assertThat(body.getChainId()).isEqualTo("peerz-test");
    assertThat(body.getNonce()).isEqualTo(3);
    assertThat(body.getFee()).isEqualTo(7);
    var m = body.getRegisterSubnet();
    assertThat(m.getName()).isEqualTo("demo");
    assertThat(m.getRepo()).isEqualTo("github.com/demo/demo");
    assertThat(m.getChurnLimit()).isEqualTo(64);
    assertThat(m.getMinStake()).isEqualTo(100);
    assertThat(m.getMaxStake()).isEqualTo(1000);
    assertThat(m.getDelegateStakePercentagePpm()).isEqualTo(100_000);
    assertThat(m.getIdleClassificationEpochs()).isEqualTo(1);
    assertThat(m.getIncludedClassificationEpochs()).isEqualTo(1);
    assertThat(m.getMaxNodePenalties()).isEqualTo(10);
    assertThat(m.getInitialColdkeysList()).hasSize(2);
    assertThat(m.getInitialColdkeys(0).getMaxNodes()).isEqualTo(2);
    assertThat(m.getInitialColdkeys(1).getMaxNodes()).isEqualTo(1);
    assertThat(m.getKeyTypesList()).containsExactly(KeyType.KEY_TYPE_RSA, KeyType.KEY_TYPE_ED25519);
    assertThat(m.getBootnodesList()).containsExactly("/ip4/1.2.3.4/tcp/1");
    assertThat(m.getMaxCost()).isEqualTo(100);
  }

  /** The README's example, flag for flag: every flag it leaves out has a default that works. */
  @Test
  void registerSubnetWithOnlyTheReadmesFlagsFillsWorkingDefaults() throws Exception {
    for (String k : new String[] {"bob", "carol", "dave"}) {
      assertThat(
              CliRun.run("keys", "add", k, "--keyring-backend", "test", "--home", home.toString())
                  .exitCode())
          .isZero();
    }

    CliRun r =
        tx(
            "register-subnet",
            "--name",
            "demo",
            "--repo",
            "github.com/demo/demo",
            "--description",
            "...",
            "--min-stake",
            "100",
            "--max-stake",
            "1000",
            "--delegate-stake-percentage",
            "0.1",
            "--initial-coldkeys",
            "bob,carol,dave",
            "--key-types",
            "ed25519",
            "--max-cost",
            "100000",
            "--from",
            "alice");

    assertThat(r.exitCode()).as(r.err()).isZero();
    var m = lastTx().body().getRegisterSubnet();
    // Each is what SubnetRegistry requires: positive churn limit, node cap and penalties.
    assertThat(m.getChurnLimit()).isEqualTo(64);
    assertThat(m.getMaxRegisteredNodes()).isEqualTo(64);
    assertThat(m.getMaxNodePenalties()).isEqualTo(10);
    assertThat(m.getNodeQueueEpochs()).isZero();
    assertThat(m.getIdleClassificationEpochs()).isEqualTo(1);
    assertThat(m.getIncludedClassificationEpochs()).isEqualTo(1);
    assertThat(m.getKeyTypesList()).containsExactly(KeyType.KEY_TYPE_ED25519);
    assertThat(m.getInitialColdkeysList()).hasSize(3);
    assertThat(m.getMisc()).isEmpty();
    assertThat(m.getBootnodesList()).isEmpty();
  }

  @Test
  void registerSubnetWithoutKeyTypesAcceptsEd25519() throws Exception {
    CliRun r =
        tx(
            "register-subnet",
            "--name",
            "demo",
            "--repo",
            "r",
            "--min-stake",
            "1",
            "--max-stake",
            "2",
            "--initial-coldkeys",
            alice,
            "--max-cost",
            "1",
            "--from",
            "alice");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(lastTx().body().getRegisterSubnet().getKeyTypesList())
        .containsExactly(KeyType.KEY_TYPE_ED25519);
  }

  @Test
  void registerSubnetNamesEveryRequiredFlagItLacks() {
    CliRun r = tx("register-subnet", "--name", "demo", "--from", "alice");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("--repo")
        .contains("--min-stake")
        .contains("--max-stake")
        .contains("--initial-coldkeys")
        .contains("--max-cost");
    assertThat(node.broadcast).isEmpty();
  }

  @Test
  void registerNodeWithoutMaxBurnSetsNoCap() throws Exception {
    CliRun r =
        tx(
            "register-node",
            "--subnet-id",
            "1",
            "--hotkey",
            "alice",
            "--peer-id",
            "12D3KooWabc",
            "--bootnode-peer-id",
            "12D3KooWdef",
            "--client-peer-id",
            "12D3KooWghi",
            "--stake-to-be-added",
            "100",
            "--from",
            "alice");

    assertThat(r.exitCode()).as(r.err()).isZero();
    var m = lastTx().body().getRegisterNode();
    assertThat(Long.toUnsignedString(m.getMaxBurnAmount())).isEqualTo("18446744073709551615");
    assertThat(m.getBootnode()).isEmpty();
    assertThat(m.getDelegateRewardRatePpm()).isZero();
  }

  @Test
  void everyOptionalFlagOfTheRegisterCommandsShowsItsDefault() {
    for (String cmd : new String[] {"register-subnet", "register-node"}) {
      CliRun help = CliRun.run("tx", cmd, "--help");
      var spec =
          PeerzCli.commandLine(
                  new PeerzCli(java.util.Map.of(), null, new java.security.SecureRandom()))
              .getSubcommands()
              .get("tx")
              .getSubcommands()
              .get(cmd)
              .getCommandSpec();
      for (var o : spec.options()) {
        if (o.usageHelp() || o.versionHelp()) {
          continue;
        }
        String text = String.join(" ", o.description());
        assertThat(o.required() || text.contains("default") || text.contains("(required"))
            .as(cmd + " " + o.longestName() + ": " + text)
            .isTrue();
      }
      assertThat(help.out()).contains("Required:");
    }
  }

  @Test
  void registerNodeTakesTheSeedsSnakeCaseFlags() throws Exception {
    CliRun r =
        tx(
            "register-node",
            "--subnet_id",
            "1",
            "--hotkey",
            "alice",
            "--peer_id",
            "12D3KooWabc",
            "--bootnode_peer_id",
            "12D3KooWdef",
            "--client_peer_id",
            "12D3KooWghi",
            "--bootnode",
            "/ip4/127.0.0.1/tcp/31330",
            "--delegate_reward_rate",
            "0.125",
            "--stake_to_be_added",
            "100.00",
            "--max_burn_amount",
            "100",
            "--from",
            "alice");

    assertThat(r.exitCode()).as(r.err()).isZero();
    var m = lastTx().body().getRegisterNode();
    assertThat(m.getSubnetId()).isEqualTo(1);
    assertThat(m.getPeerId()).isEqualTo("12D3KooWabc");
    assertThat(m.getBootnodePeerId()).isEqualTo("12D3KooWdef");
    assertThat(m.getClientPeerId()).isEqualTo("12D3KooWghi");
    assertThat(m.getBootnode()).isEqualTo("/ip4/127.0.0.1/tcp/31330");
    assertThat(m.getDelegateRewardRatePpm()).isEqualTo(125_000);
    assertThat(m.getStakeToBeAdded()).isEqualTo(100);
    assertThat(m.getMaxBurnAmount()).isEqualTo(100);
    assertThat(io.peerz.ledger.Hex.encode(m.getHotkey().toByteArray()))
        .isEqualTo(alice.substring(2));
  }

  @Test
  void bankSendTakesSenderRecipientAndAmount() throws Exception {
    String bob = "0x" + "22".repeat(20);
    CliRun r = tx("bank", "send", "alice", bob, "5000");

    assertThat(r.exitCode()).as(r.err()).isZero();
    var m = lastTx().body().getSend();
    assertThat(io.peerz.ledger.Hex.encode(m.getTo().toByteArray())).isEqualTo("22".repeat(20));
    assertThat(m.getAmount()).isEqualTo(5000);
  }

  @Test
  void bankSendPaysAnExecutorKeyFilesAddress() throws Exception {
    Path file = home.resolve("gpu0.json");
    CliRun add =
        CliRun.run(
            "keys", "add-executor", file.toString(), "--home", home.toString(), "--output", "json");
    assertThat(add.exitCode()).as(add.err()).isZero();
    String address = Json.parse(add.out().getBytes(), "add-executor").path("address").asText();

    CliRun r = tx("bank", "send", "alice", file.toString(), "2000");

    assertThat(r.exitCode()).as(r.err()).isZero();
    var m = lastTx().body().getSend();
    assertThat("0x" + io.peerz.ledger.Hex.encode(m.getTo().toByteArray()))
        .isEqualToIgnoringCase(address);
    // A .json name that is no file is still a key name, and a missing one is refused by name.
    CliRun missing = tx("bank", "send", "alice", "nosuch.json", "1");
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.err()).contains("no key 'nosuch.json'");
  }

  @Test
  void proposeScoresAndNodeLifecycleCarryTheirIds() throws Exception {
    assertThat(
            tx(
                    "propose-scores",
                    "--subnet-id",
                    "1",
                    "--node-id",
                    "2",
                    "--scores",
                    "1=100,2=80",
                    "--from",
                    "alice")
                .exitCode())
        .isZero();
    var p = lastTx().body().getProposeScores();
    assertThat(p.getNodeId()).isEqualTo(2);
    assertThat(p.getScoresList())
        .extracting(s -> s.getNodeId() + "=" + s.getScore())
        .containsExactly("1=100", "2=80");

    assertThat(tx("activate-node", "--subnet_id", "1", "--from", "alice").exitCode()).isZero();
    assertThat(lastTx().body().getActivateNode().getSubnetId()).isEqualTo(1);
    assertThat(
            tx("attest", "--subnet-id", "1", "--subnet_node_id", "3", "--from", "alice").exitCode())
        .isZero();
    assertThat(lastTx().body().getAttest().getNodeId()).isEqualTo(3);
    assertThat(tx("claim-unbonded", "--from", "alice").exitCode()).isZero();
    assertThat(lastTx().body().getMsgCase()).isEqualTo(TxBody.MsgCase.CLAIM_UNBONDED);
    assertThat(
            tx("undelegate-stake", "--subnet-id", "1", "--shares", "5", "--from", "alice")
                .exitCode())
        .isZero();
    assertThat(lastTx().body().getUndelegateStake().getShares()).isEqualTo(5);
  }

  @Test
  void aMissingAccountSignsWithNonceZero() throws Exception {
    node.accountJson = null;
    assertThat(tx("claim-unbonded", "--from", "alice").exitCode()).isZero();
    assertThat(lastTx().body().getNonce()).isZero();
  }

  @Test
  void aFailedTransactionPrintsCodeCodespaceAndLogAndExitsNonZero() {
    node.deliverCode = 12;
    node.deliverLog = "subnet name demo is taken";

    CliRun r =
        tx(
            "register-subnet",
            "--name",
            "demo",
            "--repo",
            "r",
            "--min-stake",
            "1",
            "--max-stake",
            "2",
            "--initial-coldkeys",
            alice,
            "--max-cost",
            "1",
            "--from",
            "alice");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out())
        .contains("code: 12")
        .contains("codespace: subnet")
        .contains("log: subnet name demo is taken");
    assertThat(r.err())
        .contains(
            "Error: the transaction failed in block 12: code 12 (subnet): subnet name demo is taken");
  }

  @Test
  void aTransactionTheMempoolRejectsIsReportedInWords() {
    node.checkCode = 3;

    CliRun r = tx("claim-unbonded", "--from", "alice");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("code: 3").contains("log: invalid nonce");
    assertThat(r.err()).contains("the node rejected the transaction: code 3 (sdk)");
  }

  @Test
  void jsonOutputIsOneObjectWithCodeAndEvents() {
    CliRun r = tx("claim-unbonded", "--from", "alice", "--output", "json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode n = Json.parse(r.out().getBytes(), "output");
    assertThat(n.path("code").asInt()).isZero();
    assertThat(n.path("height").asText()).isEqualTo("12");
    assertThat(n.path("events").get(0).path("type").asText()).isEqualTo("subnet_registered");
  }

  @Test
  void noWaitReturnsOnceTheMempoolAcceptsIt() {
    CliRun r = tx("claim-unbonded", "--from", "alice", "--no-wait");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("txhash: ").contains("--no-wait").doesNotContain("height:");
  }

  @Test
  void waitingOnANodeWithoutATxIndexSaysTheTxWasAcceptedAndWhereToLook() {
    node.indexing = false;
    CliRun r = tx("claim-unbonded", "--from", "alice");

    assertThat(r.exitCode()).isNotZero();
    assertThat(node.broadcast).hasSize(1);
    assertThat(r.err())
        .contains("was accepted into the mempool")
        .contains("does not index txs")
        .contains("peerz query tx ")
        .contains("--no-wait");
  }

  @Test
  void explicitChainIdFeeAndNonceAreSignedAsGiven() throws Exception {
    CliRun r =
        tx(
            "claim-unbonded",
            "--from",
            "alice",
            "--chain-id",
            "other",
            "--fee",
            "9",
            "--nonce",
            "11");

    assertThat(r.exitCode()).as(r.err()).isZero();
    TxBody body = lastTx().body();
    assertThat(body.getChainId()).isEqualTo("other");
    assertThat(body.getFee()).isEqualTo(9);
    assertThat(body.getNonce()).isEqualTo(11);
  }

  @Test
  void anUnknownSignerIsAClearError() {
    CliRun r = tx("claim-unbonded", "--from", "nobody");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("no key 'nobody'");
  }

  @Test
  void tooPreciseRateIsAUsageError() {
    CliRun r =
        tx(
            "register-subnet",
            "--name",
            "x",
            "--delegate-stake-percentage",
            "0.00000001",
            "--from",
            "alice");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("more precision than 1 ppm");
    assertThat(node.broadcast).isEmpty();
  }

  @Test
  void queryPrettyPrintsOrPrintsRawJson() {
    CliRun pretty =
        CliRun.run("query", "subnet", "1", "--node", node.url(), "--home", home.toString());
    assertThat(pretty.exitCode()).as(pretty.err()).isZero();
    assertThat(pretty.out()).contains("\"name\" : \"demo\"");

    CliRun raw = CliRun.run("query", "subnet", "1", "--node", node.url(), "--output", "json");
    assertThat(raw.out().trim()).isEqualTo("{\"id\":\"1\",\"name\":\"demo\"}");

    CliRun acct =
        CliRun.run("query", "account", "alice", "--node", node.url(), "--home", home.toString());
    assertThat(acct.exitCode()).as(acct.err()).isZero();
    assertThat(acct.out()).contains("\"nonce\" : \"3\"");
  }

  @Test
  void aFailedQueryPrintsItsCodeAndLog() {
    CliRun r = CliRun.run("query", "supply", "--node", node.url());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("query /supply failed: code 6: unknown query path /supply");
  }

  @Test
  void anUnreachableNodeSaysSo() {
    node.close();
    CliRun r = CliRun.run("query", "status", "--node", node.url());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("cannot reach the node");
  }
}
