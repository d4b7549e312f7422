package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.ledger.Hex;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code peerz query}: committed state through {@code abci_query}, and chain data over RPC. */
@Command(
    name = "query",
    aliases = "q",
    mixinStandardHelpOptions = true,
    description = {
      "Read committed state from a node. Values are JSON: pretty-printed, or as the node sent them",
      "with --output json."
    },
    subcommands = {
      QueryCommand.Account.class,
      QueryCommand.Subnet.class,
      QueryCommand.Subnets.class,
      QueryCommand.Node.class,
      QueryCommand.Nodes.class,
      QueryCommand.Epoch.class,
      QueryCommand.Params.class,
      QueryCommand.Delegation.class,
      QueryCommand.Scores.class,
      QueryCommand.Supply.class,
      ValidatorQueryCommands.Validator.class,
      ValidatorQueryCommands.Validators.class,
      MarketQueryCommands.Pool.class,
      MarketQueryCommands.Pools.class,
      MarketQueryCommands.Job.class,
      MarketQueryCommands.JobFit.class,
      MarketQueryCommands.Executor.class,
      MarketQueryCommands.Executors.class,
      QueryCommand.TxQuery.class,
      QueryCommand.Block.class,
      QueryCommand.Status.class
    })
final class QueryCommand {

  /** What every query shares: home (to resolve key names), node and output. */
  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin HomeOption home;
    @Mixin KeyringOptions keyring;
    @Mixin NodeOption node;
    @Mixin OutputOption output;

    void print(JsonNode value) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(output.json() ? Json.compact(value) : Json.pretty(value));
      out.flush();
    }
  }

  /** A query answered by an ABCI query path whose value is JSON. */
  abstract static class AbciPath extends Base {
    abstract String path();

    @Override
    public Integer call() {
      String path = path();
      RpcClient.QueryAnswer a = node.client().abciQuery(path);
      if (!a.ok()) {
        throw new CliException(
            "query "
                + path
                + " failed: code "
                + a.code()
                + (a.codespace().isEmpty() ? "" : " (" + a.codespace() + ")")
                + (a.log().isEmpty() ? "" : ": " + a.log()));
      }
      if (output.json()) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(new String(a.value(), StandardCharsets.UTF_8).trim());
        out.flush();
      } else {
        print(Json.parse(a.value(), path));
      }
      return 0;
    }
  }

  @Command(
      name = "account",
      mixinStandardHelpOptions = true,
      description = "Balance, nonce and stake of an account.")
  static final class Account extends AbciPath {
    @Parameters(paramLabel = "<address|key>", description = "Address (0x...) or key name.")
    String who;

    @Override
    String path() {
      return "/account/" + keyring.address(home, who);
    }
  }

  @Command(name = "subnet", mixinStandardHelpOptions = true, description = "One subnet.")
  static final class Subnet extends AbciPath {
    @Parameters(paramLabel = "<subnet-id>")
    long subnetId;

    @Override
    String path() {
      return "/subnet/" + subnetId;
    }
  }

  @Command(name = "subnets", mixinStandardHelpOptions = true, description = "Every subnet.")
  static final class Subnets extends AbciPath {
    @Override
    String path() {
      return "/subnets";
    }
  }

  @Command(name = "node", mixinStandardHelpOptions = true, description = "One subnet node.")
  static final class Node extends AbciPath {
    @Parameters(index = "0", paramLabel = "<subnet-id>")
    long subnetId;

    @Parameters(index = "1", paramLabel = "<node-id>")
    long nodeId;

    @Override
    String path() {
      return "/node/" + subnetId + "/" + nodeId;
    }
  }

  @Command(name = "nodes", mixinStandardHelpOptions = true, description = "A subnet's nodes.")
  static final class Nodes extends AbciPath {
    @Parameters(paramLabel = "<subnet-id>")
    long subnetId;

    @Override
    String path() {
      return "/nodes/" + subnetId;
    }
  }

  @Command(name = "epoch", mixinStandardHelpOptions = true, description = "The current epoch.")
  static final class Epoch extends AbciPath {
    @Override
    String path() {
      return "/epoch";
    }
  }

  @Command(name = "params", mixinStandardHelpOptions = true, description = "Chain parameters.")
  static final class Params extends AbciPath {
    @Override
    String path() {
      return "/params";
    }
  }

  @Command(
      name = "delegation",
      mixinStandardHelpOptions = true,
      description = "A delegator's stake in a subnet.")
  static final class Delegation extends AbciPath {
    @Parameters(index = "0", paramLabel = "<subnet-id>")
    long subnetId;

    @Parameters(index = "1", paramLabel = "<address|key>")
    String who;

    @Override
    String path() {
      return "/delegation/" + subnetId + "/" + keyring.address(home, who);
    }
  }

  @Command(
      name = "scores",
      mixinStandardHelpOptions = true,
      description = {
        "A subnet's score proposal, attestations and rewards for an epoch, and its compute",
        "points (verified work) and their rewards: 'scores 1 3' or --subnet-id 1 --epoch 3."
      })
  static final class Scores extends AbciPath {
    @Parameters(index = "0", arity = "0..1", paramLabel = "<subnet-id>")
    Long subnetArg;

    @Parameters(index = "1", arity = "0..1", paramLabel = "<epoch>")
    Long epochArg;

    @picocli.CommandLine.Option(
        names = "--subnet-id",
        paramLabel = "<id>",
        description = "The subnet (required, here or as the first argument).")
    Long subnetId;

    @picocli.CommandLine.Option(
        names = "--epoch",
        paramLabel = "<n>",
        description = "The epoch (required, here or as the second argument).")
    Long epoch;

    @Override
    String path() {
      Long s = subnetId != null ? subnetId : subnetArg;
      Long e = epoch != null ? epoch : epochArg;
      if (s == null || e == null) {
        throw new CliException("give the subnet id and the epoch (--subnet-id 1 --epoch 3)");
      }
      return "/scores/" + s + "/" + e;
    }
  }

  @Command(name = "supply", mixinStandardHelpOptions = true, description = "Total supply.")
  static final class Supply extends AbciPath {
    @Override
    String path() {
      return "/supply";
    }
  }

  @Command(
      name = "tx",
      mixinStandardHelpOptions = true,
      description = "A committed transaction by hash, with its result.")
  static final class TxQuery extends Base {
    @Parameters(paramLabel = "<hash>", description = "Tx hash in hex (with or without 0x).")
    String hash;

    @Override
    public Integer call() {
      byte[] h = Hex.decode(hash);
      JsonNode tx =
          node.client()
              .tx(h)
              .orElseThrow(() -> new CliException("no committed transaction with hash " + hash));
      print(tx);
      return 0;
    }
  }

  @Command(
      name = "block",
      mixinStandardHelpOptions = true,
      description = "A block (default: the latest).")
  static final class Block extends Base {
    @Parameters(arity = "0..1", paramLabel = "<height>")
    Long height;

    @Override
    public Integer call() {
      print(node.client().block(height));
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Node identity, latest block and validator info.")
  static final class Status extends Base {
    @Override
    public Integer call() {
      print(node.client().status());
      return 0;
    }
  }
}
