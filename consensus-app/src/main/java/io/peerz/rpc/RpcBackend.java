package io.peerz.rpc;

import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.proto.TxResult;
import io.peerz.ledger.proto.Validator;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What the JSON-RPC server reads and calls; the node implements it. */
public interface RpcBackend {

  /** Node identity and sync state for {@code status}. */
  NodeStatus status();

  GenesisDoc genesis();

  /** Decided blocks, results and the tx index. */
  BlockStore blocks();

  /** The validator set that signs the block at {@code height}; empty for an unknown height. */
  Optional<List<Validator>> validators(long height);

  /** The application's Info: app version, last committed height and app hash. */
  AppInfo appInfo();

  /** The application's Query against committed state; {@code height} 0 = latest. */
  QueryAnswer query(String path, byte[] data, long height, boolean prove);

  /** CheckTx without adding to the mempool ({@code check_tx}). */
  TxResult checkTx(byte[] tx);

  /** CheckTx and, when accepted, add to the mempool and gossip ({@code broadcast_tx_sync}). */
  TxResult broadcastTx(byte[] tx);

  /**
   * The txs of a JSON-RPC batch, given before its broadcast and check_tx requests run one by one,
   * so that the backend can do their common work (signature checks) together. Does nothing by
   * default.
   */
  default void prepareTxs(List<byte[]> txs) {}

  /**
   * Completes when the tx with this hash is committed (with its height and result), or
   * exceptionally with a TimeoutException after {@code timeout}.
   */
  CompletableFuture<CommittedTx> awaitCommit(byte[] txHash, Duration timeout);

  /** Mempool size, bytes, and up to {@code limit} txs in order. */
  MempoolSnapshot mempool(int limit);

  /** Node status as CometBFT reports it. */
  record NodeStatus(
      String nodeId,
      String listenAddress,
      String moniker,
      String chainId,
      long latestHeight,
      byte[] latestBlockHash,
      byte[] latestAppHash,
      long latestBlockTimeMillis,
      long earliestHeight,
      byte[] earliestBlockHash,
      byte[] earliestAppHash,
      long earliestBlockTimeMillis,
      boolean catchingUp,
      byte[] validatorAddress,
      byte[] validatorPubKey,
      long validatorPower) {}

  /** The application's Info answer. */
  record AppInfo(
      String data,
      String version,
      long appVersion,
      long lastBlockHeight,
      byte[] lastBlockAppHash) {}

  /** The application's Query answer; {@code proof} is a StateProof encoding when asked for. */
  record QueryAnswer(
      int code,
      String codespace,
      String log,
      byte[] key,
      byte[] value,
      long height,
      byte[] proof) {}

  /** A committed tx: height, index in block and its result. */
  record CommittedTx(long height, int index, TxResult result) {}

  /** What the mempool holds. */
  record MempoolSnapshot(int count, long totalBytes, List<byte[]> txs) {}
}
