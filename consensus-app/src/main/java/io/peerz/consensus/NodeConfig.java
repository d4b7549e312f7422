package io.peerz.consensus;

import io.peerz.ledger.Ed25519KeyPair;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@link PeerzNode#start} needs. {@code home} holds {@code data/} (RocksDB) and {@code
 * data/priv_validator_state.json}. {@code rpcListen} is host:port (CometBFT's --rpc.laddr without
 * the tcp:// scheme); port 0 picks a free one.
 */
public record NodeConfig(
    Path home,
    GenesisDoc genesis,
    Ed25519KeyPair validatorKey,
    Ed25519KeyPair nodeKey,
    String moniker,
    String rpcListen,
    String p2pListen,
    Duration timeoutCommit) {}
