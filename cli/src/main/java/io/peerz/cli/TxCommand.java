package io.peerz.cli;

import com.google.protobuf.ByteString;
import io.peerz.ledger.proto.InitialColdkey;
import io.peerz.ledger.proto.KeyType;
import io.peerz.ledger.proto.MsgActivateNode;
import io.peerz.ledger.proto.MsgActivateSubnet;
import io.peerz.ledger.proto.MsgAddStake;
import io.peerz.ledger.proto.MsgAttest;
import io.peerz.ledger.proto.MsgClaimUnbonded;
import io.peerz.ledger.proto.MsgDeactivateNode;
import io.peerz.ledger.proto.MsgDelegateStake;
import io.peerz.ledger.proto.MsgProposeScores;
import io.peerz.ledger.proto.MsgReactivateNode;
import io.peerz.ledger.proto.MsgRegisterNode;
import io.peerz.ledger.proto.MsgRegisterSubnet;
import io.peerz.ledger.proto.MsgRemoveNode;
import io.peerz.ledger.proto.MsgRemoveStake;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.MsgUndelegateStake;
import io.peerz.ledger.proto.NodeScore;
import io.peerz.ledger.proto.TxBody;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code peerz tx}: one subcommand per message of {@code peerz/ledger/v1/msgs.proto}. */
@Command(
    name = "tx",
    mixinStandardHelpOptions = true,
    description = {
      "Sign a transaction, broadcast it, wait until it is in a block and print the result.",
      "Offline signing: 'tx ... --generate-only > tx.json', 'tx sign tx.json --from KEY"
          + " --offline > signed.json', 'tx broadcast signed.json' (docs/keys.md).",
      "Amounts are integer base units; rates are decimal fractions (0.1 = 10%%).",
      "Exit code 1 and the node's code, codespace and log when the transaction fails."
    },
    subcommands = {
      TxCommand.Bank.class,
      TxCommand.RegisterSubnet.class,
      TxCommand.ActivateSubnet.class,
      TxCommand.RegisterNode.class,
      TxCommand.ActivateNode.class,
      TxCommand.DeactivateNode.class,
      TxCommand.ReactivateNode.class,
      TxCommand.RemoveNode.class,
      TxCommand.AddStake.class,
      TxCommand.RemoveStake.class,
      TxCommand.ClaimUnbonded.class,
      TxCommand.DelegateStake.class,
      TxCommand.UndelegateStake.class,
      TxCommand.ProposeScores.class,
      TxCommand.Attest.class,
      ValidatorTxCommands.CreateValidator.class,
      ValidatorTxCommands.BondValidator.class,
      ValidatorTxCommands.UnbondValidator.class,
      ValidatorTxCommands.UnjailValidator.class,
      MarketTxCommands.CreatePool.class,
      MarketTxCommands.RegisterExecutor.class,
      MarketTxCommands.JoinPool.class,
      MarketTxCommands.LeavePool.class,
      MarketTxCommands.ClosePool.class,
      MarketTxCommands.SubmitJob.class,
      MarketTxCommands.CancelJob.class,
      MarketTxCommands.RequestRows.class,
      MarketTxCommands.CommitResult.class,
      MarketTxCommands.RevealRows.class,
      MarketTxCommands.RevealEntries.class,
      MarketTxCommands.PostRows.class,
      MarketTxCommands.ReportMissingInputs.class,
      MarketTxCommands.SetDataUrl.class,
      MarketTxCommands.DisputeEntry.class,
      OfflineTxCommands.Sign.class,
      OfflineTxCommands.Broadcast.class
    })
final class TxCommand {

  /** {@code tx bank send}. */
  @Command(
      name = "bank",
      mixinStandardHelpOptions = true,
      description = "Transfers between accounts.",
      subcommands = Send.class)
  static final class Bank {}

  @Command(
      name = "send",
      mixinStandardHelpOptions = true,
      description = "Send <amount> base units from <from> (key name or address) to <to>.")
  static final class Send extends TxSubcommand {
    @Parameters(index = "0", paramLabel = "<from>", description = "Sending key (name or address).")
    String sender;

    @Parameters(
        index = "1",
        paramLabel = "<to>",
        description = "Receiving address (0x...), key name, or executor key file (executor.json).")
    String to;

    @Parameters(
        index = "2",
        paramLabel = "<amount>",
        converter = AmountConverter.class,
        description = "Amount in base units.")
    long amount;

    @Override
    String signer() {
      return from != null ? from : sender;
    }

    @Override
    void setMessage(TxBody.Builder body) {
      body.setSend(
          MsgSend.newBuilder()
              .setTo(ByteString.copyFrom(keyring.address(home, to).bytes()))
              .setAmount(amount));
    }
  }

  @Command(
      name = "register-subnet",
      mixinStandardHelpOptions = true,
      description = {
        "Register a subnet, signed by its owner (Hypertensor's register-subnet).",
        "Required: --name, --repo, --min-stake, --max-stake, --initial-coldkeys, --max-cost and"
            + " --from; every other flag has the default shown."
      })
  static final class RegisterSubnet extends TxSubcommand {
    @Option(
        paramLabel = "<text>",
        names = "--name",
        required = true,
        description = "Unique subnet name (required).")
    String name;

    @Option(
        paramLabel = "<text>",
        names = "--repo",
        required = true,
        description =
            "Source repository, unique among subnets, e.g. github.com/demo/demo" + " (required).")
    String repo;

    @Option(
        paramLabel = "<text>",
        names = "--description",
        defaultValue = "",
        description = "What the subnet does (default: empty).")
    String description = "";

    @Option(
        paramLabel = "<text>",
        names = "--misc",
        defaultValue = "",
        description = "Free text (default: empty).")
    String misc = "";

    @Option(
        paramLabel = "<n>",
        names = "--churn-limit",
        defaultValue = "64",
        description = "Nodes that may be activated per epoch (default: ${DEFAULT-VALUE}).")
    int churnLimit;

    @Option(
        paramLabel = "<amount>",
        names = "--min-stake",
        required = true,
        converter = AmountConverter.class,
        description = "Minimum stake per node (required).")
    long minStake;

    @Option(
        paramLabel = "<amount>",
        names = "--max-stake",
        required = true,
        converter = AmountConverter.class,
        description = "Maximum stake per node (required).")
    long maxStake;

    @Option(
        paramLabel = "<rate>",
        names = "--delegate-stake-percentage",
        defaultValue = "0",
        converter = PpmConverter.class,
        description =
            "Share of rewards to delegators, as a fraction (0.1 = 10%%; default: ${DEFAULT-VALUE}).")
    int delegateStakePpm;

    @Option(
        paramLabel = "<n>",
        names = {"--node-queue-epochs", "--subnet-node-queue-epochs"},
        defaultValue = "0",
        description =
            "Epochs a registered node waits before it may activate (default: ${DEFAULT-VALUE}).")
    int nodeQueueEpochs;

    @Option(
        paramLabel = "<n>",
        names = "--idle-classification-epochs",
        defaultValue = "1",
        description = "Epochs a node stays Idle before Included (default: ${DEFAULT-VALUE}).")
    int idleEpochs;

    @Option(
        paramLabel = "<n>",
        names = "--included-classification-epochs",
        defaultValue = "1",
        description = "Epochs a node stays Included before Validator (default: ${DEFAULT-VALUE}).")
    int includedEpochs;

    @Option(
        paramLabel = "<n>",
        names = "--max-node-penalties",
        defaultValue = "10",
        description = "Penalties before a node is removed (default: ${DEFAULT-VALUE}).")
    int maxNodePenalties;

    @Option(
        names = "--initial-coldkeys",
        required = true,
        split = ",",
        arity = "1..*",
        paramLabel = "<key[:n]>",
        description =
            "Coldkeys (address or key name) allowed to register while the subnet registers,"
                + " each with an optional node quota (default 1): 0xA:2,0xB. Their quotas must"
                + " allow params.min_subnet_nodes nodes (required).")
    List<String> initialColdkeys = new ArrayList<>();

    @Option(
        paramLabel = "<n>",
        names = "--max-registered-nodes",
        defaultValue = "64",
        description = "Cap on registered nodes (default: ${DEFAULT-VALUE}).")
    int maxRegisteredNodes;

    @Option(
        names = "--key-types",
        split = ",",
        arity = "1..*",
        defaultValue = "ed25519",
        converter = KeyTypeConverter.class,
        description =
            "Accepted node key types: rsa, ed25519, secp256k1, ecdsa (default: ${DEFAULT-VALUE}).")
    List<KeyType> keyTypes = new ArrayList<>();

    @Option(
        names = "--bootnodes",
        split = ",",
        arity = "1..*",
        description = "Bootnode multiaddresses (default: none).")
    List<String> bootnodes = new ArrayList<>();

    @Option(
        paramLabel = "<amount>",
        names = "--max-cost",
        required = true,
        converter = AmountConverter.class,
        description =
            "Most you agree to pay for registration; above it the tx is rejected (required;"
                + " 'peerz query epoch' shows the current subnet_registration_cost).")
    long maxCost;

    @Override
    void setMessage(TxBody.Builder body) {
      MsgRegisterSubnet.Builder m =
          MsgRegisterSubnet.newBuilder()
              .setName(name)
              .setRepo(repo)
              .setDescription(description)
              .setMisc(misc)
              .setChurnLimit(churnLimit)
              .setMinStake(minStake)
              .setMaxStake(maxStake)
              .setDelegateStakePercentagePpm(delegateStakePpm)
              .setNodeQueueEpochs(nodeQueueEpochs)
              .setIdleClassificationEpochs(idleEpochs)
              .setIncludedClassificationEpochs(includedEpochs)
              .setMaxNodePenalties(maxNodePenalties)
              .setMaxRegisteredNodes(maxRegisteredNodes)
              .addAllKeyTypes(keyTypes)
              .addAllBootnodes(bootnodes)
              .setMaxCost(maxCost);
      for (String c : initialColdkeys) {
        m.addInitialColdkeys(coldkey(c));
      }
      body.setRegisterSubnet(m);
    }

    private InitialColdkey coldkey(String spec) {
      int colon = spec.lastIndexOf(':');
      String who = colon < 0 ? spec : spec.substring(0, colon);
      int quota = 1;
      if (colon >= 0) {
        try {
          quota = Integer.parseInt(spec.substring(colon + 1));
        } catch (NumberFormatException e) {
          quota = -1;
        }
        if (quota < 1) {
          throw new CliException(
              "--initial-coldkeys: '" + spec + "': the quota after ':' must be a positive integer");
        }
      }
      return InitialColdkey.newBuilder()
          .setAddress(ByteString.copyFrom(keyring.address(home, who.trim()).bytes()))
          .setMaxNodes(quota)
          .build();
    }
  }

  @Command(
      name = "activate-subnet",
      mixinStandardHelpOptions = true,
      description = "Activate a registered subnet once enough nodes are in (owner only).")
  static final class ActivateSubnet extends TxSubcommand {
    @Option(paramLabel = "<id>", names = "--subnet-id", required = true, description = "Subnet id.")
    long subnetId;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setActivateSubnet(MsgActivateSubnet.newBuilder().setSubnetId(subnetId));
    }
  }

  @Command(
      name = "register-node",
      mixinStandardHelpOptions = true,
      description = {
        "Register a node in a subnet with its stake, signed by its coldkey.",
        "Required: --subnet-id, --hotkey, --peer-id, --bootnode-peer-id, --client-peer-id,"
            + " --stake-to-be-added and --from; every other flag has the default shown."
      })
  static final class RegisterNode extends TxSubcommand {
    @Option(paramLabel = "<id>", names = "--subnet-id", required = true, description = "Subnet id.")
    long subnetId;

    @Option(
        paramLabel = "<text>",
        names = "--hotkey",
        required = true,
        description = "The node's hotkey: an address (0x...) or a key name (required).")
    String hotkey;

    @Option(
        paramLabel = "<text>",
        names = "--peer-id",
        required = true,
        description =
            "libp2p peer id of the node (required; 'peerz keys show KEY --peer-id' prints a"
                + " key's).")
    String peerId;

    @Option(
        paramLabel = "<text>",
        names = "--bootnode-peer-id",
        required = true,
        description = "libp2p peer id of its bootnode, not the node's own (required).")
    String bootnodePeerId;

    @Option(
        paramLabel = "<text>",
        names = "--client-peer-id",
        required = true,
        description = "libp2p peer id of its client, not the node's own (required).")
    String clientPeerId;

    @Option(
        paramLabel = "<text>",
        names = "--bootnode",
        defaultValue = "",
        description = "Bootnode multiaddress (default: none).")
    String bootnode = "";

    @Option(
        paramLabel = "<rate>",
        names = "--delegate-reward-rate",
        defaultValue = "0",
        converter = PpmConverter.class,
        description =
            "Share of the node's rewards to its delegators (0.125 = 12.5%%; default:"
                + " ${DEFAULT-VALUE}).")
    int delegateRewardRatePpm;

    @Option(
        paramLabel = "<amount>",
        names = "--stake-to-be-added",
        required = true,
        converter = AmountConverter.class,
        description = "Stake to bond with the node, within the subnet's min and max (required).")
    long stake;

    @Option(
        paramLabel = "<amount>",
        names = "--max-burn-amount",
        converter = AmountConverter.class,
        description =
            "Most you agree to burn to register (default: no cap; the chain burns"
                + " params.node_registration_burn, see 'peerz query params').")
    Long maxBurn;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setRegisterNode(
          MsgRegisterNode.newBuilder()
              .setSubnetId(subnetId)
              .setHotkey(ByteString.copyFrom(keyring.address(home, hotkey).bytes()))
              .setPeerId(peerId)
              .setBootnodePeerId(bootnodePeerId)
              .setClientPeerId(clientPeerId)
              .setBootnode(bootnode)
              .setDelegateRewardRatePpm(delegateRewardRatePpm)
              .setStakeToBeAdded(stake)
              // uint64: all ones is the largest cap, i.e. none.
              .setMaxBurnAmount(maxBurn == null ? -1L : maxBurn));
    }
  }

  /** The {@code --subnet-id} and {@code --node-id} of the node lifecycle messages. */
  abstract static class NodeTx extends TxSubcommand {
    @Option(paramLabel = "<id>", names = "--subnet-id", required = true, description = "Subnet id.")
    long subnetId;

    @Option(
        paramLabel = "<id>",
        names = {"--node-id", "--subnet-node-id"},
        description = "Node id (default 0: the signer's only node in the subnet).")
    long nodeId;
  }

  @Command(
      name = "activate-node",
      mixinStandardHelpOptions = true,
      description = "Activate a registered node (in its start epoch or the grace period).")
  static final class ActivateNode extends NodeTx {
    @Override
    void setMessage(TxBody.Builder body) {
      body.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(subnetId).setNodeId(nodeId));
    }
  }

  @Command(
      name = "deactivate-node",
      mixinStandardHelpOptions = true,
      description = "Take an active node out of the subnet for a while.")
  static final class DeactivateNode extends NodeTx {
    @Override
    void setMessage(TxBody.Builder body) {
      body.setDeactivateNode(
          MsgDeactivateNode.newBuilder().setSubnetId(subnetId).setNodeId(nodeId));
    }
  }

  @Command(
      name = "reactivate-node",
      mixinStandardHelpOptions = true,
      description = "Bring a deactivated node back.")
  static final class ReactivateNode extends NodeTx {
    @Override
    void setMessage(TxBody.Builder body) {
      body.setReactivateNode(
          MsgReactivateNode.newBuilder().setSubnetId(subnetId).setNodeId(nodeId));
    }
  }

  @Command(
      name = "remove-node",
      mixinStandardHelpOptions = true,
      description = "Remove a node; its stake enters unbonding.")
  static final class RemoveNode extends NodeTx {
    @Override
    void setMessage(TxBody.Builder body) {
      body.setRemoveNode(MsgRemoveNode.newBuilder().setSubnetId(subnetId).setNodeId(nodeId));
    }
  }

  @Command(
      name = "add-stake",
      mixinStandardHelpOptions = true,
      description = "Add stake to a node.")
  static final class AddStake extends NodeTx {
    @Mixin AmountOption amount;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setAddStake(
          MsgAddStake.newBuilder()
              .setSubnetId(subnetId)
              .setNodeId(nodeId)
              .setAmount(amount.amount));
    }
  }

  @Command(
      name = "remove-stake",
      mixinStandardHelpOptions = true,
      description = "Remove stake from a node; it enters unbonding.")
  static final class RemoveStake extends NodeTx {
    @Mixin AmountOption amount;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setRemoveStake(
          MsgRemoveStake.newBuilder()
              .setSubnetId(subnetId)
              .setNodeId(nodeId)
              .setAmount(amount.amount));
    }
  }

  @Command(
      name = "claim-unbonded",
      mixinStandardHelpOptions = true,
      description = "Release every unbonding entry of the signer whose period has passed.")
  static final class ClaimUnbonded extends TxSubcommand {
    @Override
    void setMessage(TxBody.Builder body) {
      body.setClaimUnbonded(MsgClaimUnbonded.getDefaultInstance());
    }
  }

  @Command(
      name = "delegate-stake",
      mixinStandardHelpOptions = true,
      description = "Delegate stake to a subnet.")
  static final class DelegateStake extends TxSubcommand {
    @Option(paramLabel = "<id>", names = "--subnet-id", required = true, description = "Subnet id.")
    long subnetId;

    @Mixin AmountOption amount;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setDelegateStake(
          MsgDelegateStake.newBuilder().setSubnetId(subnetId).setAmount(amount.amount));
    }
  }

  @Command(
      name = "undelegate-stake",
      mixinStandardHelpOptions = true,
      description = "Give back delegation shares; their value enters unbonding.")
  static final class UndelegateStake extends TxSubcommand {
    @Option(paramLabel = "<id>", names = "--subnet-id", required = true, description = "Subnet id.")
    long subnetId;

    @Option(
        paramLabel = "<amount>",
        names = "--shares",
        required = true,
        converter = AmountConverter.class,
        description = "Delegation shares to give back.")
    long shares;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setUndelegateStake(
          MsgUndelegateStake.newBuilder().setSubnetId(subnetId).setShares(shares));
    }
  }

  @Command(
      name = "propose-scores",
      mixinStandardHelpOptions = true,
      description = "As the epoch's chosen validator node, propose the subnet's node scores.")
  static final class ProposeScores extends NodeTx {
    @Option(
        names = "--scores",
        required = true,
        split = ",",
        arity = "1..*",
        paramLabel = "<id=score>",
        converter = NodeScoreConverter.class,
        description = "Scores by node id: 1=100,2=80")
    List<NodeScore> scores = new ArrayList<>();

    @Override
    void setMessage(TxBody.Builder body) {
      body.setProposeScores(
          MsgProposeScores.newBuilder()
              .setSubnetId(subnetId)
              .setNodeId(nodeId)
              .addAllScores(scores));
    }
  }

  @Command(
      name = "attest",
      mixinStandardHelpOptions = true,
      description = "As a Validator-class node, attest the current epoch's score proposal.")
  static final class Attest extends NodeTx {
    @Override
    void setMessage(TxBody.Builder body) {
      body.setAttest(MsgAttest.newBuilder().setSubnetId(subnetId).setNodeId(nodeId));
    }
  }
}
