package io.peerz.node;

import io.peerz.consensus.CounterApp;
import io.peerz.consensus.PeerzApplication;
import io.peerz.consensus.TestChains;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.TxSignatures;
import io.peerz.ledger.proto.TxResult;
import io.peerz.state.StateMachine;
import java.nio.file.Path;
import java.time.Duration;

/** Node configs and nodes (consensus started, RPC left out) for the node tests. */
final class TestNodes {
  private TestNodes() {}

  /** A node running the real peerz application, consensus started, RPC left out. */
  static PeerzNode peerzNode(NodeConfig config, String failpoint) {
    LedgerDb db = LedgerDb.open(PeerzNode.dataDir(config.home()).resolve("ledger.db"));
    StateMachine machine = new StateMachine();
    PeerzApplication app = new PeerzApplication(db, machine, config.genesis().chainId());
    PeerzNode node =
        new PeerzNode(config, db, app, app::checkTxDry, machine.signatures(), failpoint);
    node.startConsensus();
    return node;
  }

  static NodeConfig peerzConfig(Path home, Ed25519KeyPair validator, Duration timeoutCommit) {
    return withGenesis(config(home, validator, timeoutCommit), TestChains.peerzGenesis(validator));
  }

  static NodeConfig withGenesis(NodeConfig c, GenesisDoc g) {
    return new NodeConfig(
        c.home(),
        g,
        c.validatorKey(),
        c.nodeKey(),
        c.moniker(),
        c.rpcListen(),
        c.p2pListen(),
        c.timeoutCommit());
  }

  static NodeConfig config(Path home, Ed25519KeyPair validator, Duration timeoutCommit) {
    return new NodeConfig(
        home,
        TestChains.genesis(validator),
        validator,
        TestChains.key(99),
        "test-node",
        "127.0.0.1:0",
        "127.0.0.1:0",
        timeoutCommit);
  }

  /** A node running the counter application, consensus started, RPC left out. */
  static PeerzNode counterNode(NodeConfig config, String failpoint) {
    LedgerDb db = LedgerDb.open(PeerzNode.dataDir(config.home()).resolve("ledger.db"));
    CounterApp app = new CounterApp(db);
    PeerzNode node =
        new PeerzNode(
            config,
            db,
            app,
            (pending, tx) -> TxResult.getDefaultInstance(),
            new TxSignatures(),
            failpoint);
    node.startConsensus();
    return node;
  }
}
