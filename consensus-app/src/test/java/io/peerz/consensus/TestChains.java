package io.peerz.consensus;

import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.proto.TxResult;
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
    PeerzNode node = new PeerzNode(config, db, app, tx -> TxResult.getDefaultInstance(), failpoint);
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
