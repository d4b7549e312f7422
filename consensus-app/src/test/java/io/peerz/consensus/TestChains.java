package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.TxBody;
import io.peerz.ledger.proto.TxResult;
import io.peerz.state.StateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Genesis documents, node configs and condition polling shared by the node tests. */
final class TestChains {
  private TestChains() {}

  static final String CHAIN_ID = "peerz-test";
  static final long GENESIS_MILLIS = 1_700_000_000_000L;

  static Ed25519KeyPair key(int n) {
    byte[] seed = new byte[32];
    seed[31] = (byte) n;
    return Ed25519KeyPair.fromSeed(seed);
  }

  static GenesisDoc genesis(Ed25519KeyPair validator) {
    byte[] raw =
        ("{\"chain_id\":\"" + CHAIN_ID + "\",\"initial_height\":\"1\",\"app_state\":{}}")
            .getBytes(StandardCharsets.UTF_8);
    return new GenesisDoc(
        CHAIN_ID,
        GENESIS_MILLIS,
        1,
        List.of(new GenesisDoc.Validator(validator.publicKey(), 10, "v0")),
        "{}".getBytes(StandardCharsets.UTF_8),
        raw);
  }

  /** The key of the account the peerz genesis funds. */
  static Ed25519KeyPair funded() {
    return key(7);
  }

  /** A genesis whose app_state funds {@link #funded()} for the real state machine. */
  static GenesisDoc peerzGenesis(Ed25519KeyPair validator) {
    String appState =
        "{\"accounts\":[{\"address\":\"" + funded().address() + "\",\"balance\":\"1000000\"}]}";
    byte[] raw =
        ("{\"chain_id\":\"" + CHAIN_ID + "\",\"app_state\":" + appState + "}")
            .getBytes(StandardCharsets.UTF_8);
    return new GenesisDoc(
        CHAIN_ID,
        GENESIS_MILLIS,
        1,
        List.of(new GenesisDoc.Validator(validator.publicKey(), 10, "v0")),
        appState.getBytes(StandardCharsets.UTF_8),
        raw);
  }

  /** A signed transfer from {@link #funded()}. */
  static byte[] send(long nonce, Ed25519KeyPair to, long amount) {
    Ed25519KeyPair from = funded();
    TxBody body =
        TxBody.newBuilder()
            .setChainId(CHAIN_ID)
            .setSignerPubKey(ByteString.copyFrom(from.publicKey()))
            .setNonce(nonce)
            .setFee(1)
            .setSend(
                MsgSend.newBuilder()
                    .setTo(ByteString.copyFrom(to.address().bytes()))
                    .setAmount(amount))
            .build();
    return Transactions.sign(body, from).toByteArray();
  }

  /** A node running the real peerz application, consensus started, RPC left out. */
  static PeerzNode peerzNode(NodeConfig config, String failpoint) {
    LedgerDb db = LedgerDb.open(PeerzNode.dataDir(config.home()).resolve("ledger.db"));
    PeerzApplication app = new PeerzApplication(db, new StateMachine(), config.genesis().chainId());
    PeerzNode node = new PeerzNode(config, db, app, app::checkTxDry, failpoint);
    node.startConsensus();
    return node;
  }

  static NodeConfig peerzConfig(Path home, Ed25519KeyPair validator, Duration timeoutCommit) {
    return withGenesis(config(home, validator, timeoutCommit), peerzGenesis(validator));
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
        genesis(validator),
        validator,
        key(99),
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
        new PeerzNode(config, db, app, (pending, tx) -> TxResult.getDefaultInstance(), failpoint);
    node.startConsensus();
    return node;
  }

  static void await(String what, BooleanSupplier condition, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      // Polling a condition with a deadline, not waiting a fixed time for it.
      LockSupport.parkNanos(5_000_000);
    }
  }
}
