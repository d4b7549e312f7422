package io.peerz.node;

import io.peerz.consensus.AppOptions;
import io.peerz.consensus.SnapshotConfig;
import io.peerz.consensus.StateSyncConfig;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.p2p.PeerLimits;
import io.peerz.rpc.RpcLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything {@link PeerzNode#start} needs. {@code home} holds {@code data/} (RocksDB) and {@code
 * data/priv_validator_state.json}. {@code rpcListen} is host:port (CometBFT's --rpc.laddr without
 * the tcp:// scheme); port 0 picks a free one. {@code persistentPeers} are CometBFT's {@code
 * id@host:port} entries, dialled from the p2p server on {@code p2pListen}; with none the node dials
 * nobody and still listens for peers that dial it. {@code snapshots} says when the application
 * takes state-sync snapshots; {@code stateSync} whether a fresh node restores from a peer's; {@code
 * indexTxs} whether committed txs are indexed for the tx and tx_search queries (CometBFT's {@code
 * [tx_index] indexer}, "kv" or "null"). {@code p2pLimits} and {@code rpcLimits} bound what peers
 * and RPC clients can make the node hold (CometBFT's {@code [p2p]} and {@code [rpc]} limits;
 * defaults when null); {@code app} the application's app.toml settings (state pruning,
 * min-retain-blocks, halt-height and halt-time; the defaults when null).
 */
public record NodeConfig(
    Path home,
    GenesisDoc genesis,
    Ed25519KeyPair validatorKey,
    Ed25519KeyPair nodeKey,
    String moniker,
    String rpcListen,
    String p2pListen,
    Duration timeoutCommit,
    List<String> persistentPeers,
    SnapshotConfig snapshots,
    StateSyncConfig stateSync,
    boolean indexTxs,
    PeerLimits p2pLimits,
    RpcLimits rpcLimits,
    AppOptions app) {

  public NodeConfig {
    persistentPeers = persistentPeers == null ? List.of() : List.copyOf(persistentPeers);
    snapshots = snapshots == null ? SnapshotConfig.DEFAULT : snapshots;
    stateSync = stateSync == null ? StateSyncConfig.DISABLED : stateSync;
    p2pLimits = p2pLimits == null ? PeerLimits.DEFAULT : p2pLimits;
    rpcLimits = rpcLimits == null ? RpcLimits.DEFAULT : rpcLimits;
    app = app == null ? AppOptions.DEFAULT : app;
  }

  /** This config with the application settings {@code app}. */
  public NodeConfig withApp(AppOptions app) {
    return new NodeConfig(
        home,
        genesis,
        validatorKey,
        nodeKey,
        moniker,
        rpcListen,
        p2pListen,
        timeoutCommit,
        persistentPeers,
        snapshots,
        stateSync,
        indexTxs,
        p2pLimits,
        rpcLimits,
        app);
  }

  /** A node with the default peer and RPC limits and app.toml's defaults. */
  public NodeConfig(
      Path home,
      GenesisDoc genesis,
      Ed25519KeyPair validatorKey,
      Ed25519KeyPair nodeKey,
      String moniker,
      String rpcListen,
      String p2pListen,
      Duration timeoutCommit,
      List<String> persistentPeers,
      SnapshotConfig snapshots,
      StateSyncConfig stateSync,
      boolean indexTxs) {
    this(
        home,
        genesis,
        validatorKey,
        nodeKey,
        moniker,
        rpcListen,
        p2pListen,
        timeoutCommit,
        persistentPeers,
        snapshots,
        stateSync,
        indexTxs,
        null,
        null,
        null);
  }

  /** A node with default snapshots, no state sync, indexing txs. */
  public NodeConfig(
      Path home,
      GenesisDoc genesis,
      Ed25519KeyPair validatorKey,
      Ed25519KeyPair nodeKey,
      String moniker,
      String rpcListen,
      String p2pListen,
      Duration timeoutCommit,
      List<String> persistentPeers) {
    this(
        home,
        genesis,
        validatorKey,
        nodeKey,
        moniker,
        rpcListen,
        p2pListen,
        timeoutCommit,
        persistentPeers,
        null,
        null,
        true);
  }

  /** A node without persistent peers (a single validator, or one that only serves RPC). */
  public NodeConfig(
      Path home,
      GenesisDoc genesis,
      Ed25519KeyPair validatorKey,
      Ed25519KeyPair nodeKey,
      String moniker,
      String rpcListen,
      String p2pListen,
      Duration timeoutCommit) {
    this(
        home,
        genesis,
        validatorKey,
        nodeKey,
        moniker,
        rpcListen,
        p2pListen,
        timeoutCommit,
        List.of());
  }
}
