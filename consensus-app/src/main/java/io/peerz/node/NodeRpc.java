package io.peerz.node;

import com.google.protobuf.ByteString;
import io.peerz.consensus.Application;
import io.peerz.consensus.BlockSyncReactor;
import io.peerz.consensus.Mempool;
import io.peerz.consensus.MempoolReactor;
import io.peerz.consensus.PrivValidator;
import io.peerz.consensus.ValidatorHistory;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Address;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.Hex;
import io.peerz.ledger.TxSignatures;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.TxResult;
import io.peerz.ledger.proto.Validator;
import io.peerz.rpc.RpcBackend;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the JSON-RPC server reads and calls on a running node (CometBFT's rpc/core Environment): the
 * block store, the application's info and queries, the mempool and tx gossip, the validator history
 * and block sync's view of the peers.
 */
final class NodeRpc implements RpcBackend {
  private final NodeConfig config;
  private final BlockStore blocks;
  private final Application app;
  private final PrivValidator signer;
  private final ValidatorHistory history;
  private final Mempool mempool;
  private final MempoolReactor gossip;
  private final BlockSyncReactor blockSync;
  private final TxSignatures signatures;

  NodeRpc(
      NodeConfig config,
      BlockStore blocks,
      Application app,
      PrivValidator signer,
      ValidatorHistory history,
      Mempool mempool,
      MempoolReactor gossip,
      BlockSyncReactor blockSync,
      TxSignatures signatures) {
    this.config = config;
    this.blocks = blocks;
    this.app = app;
    this.signer = signer;
    this.history = history;
    this.mempool = mempool;
    this.gossip = gossip;
    this.blockSync = blockSync;
    this.signatures = signatures;
  }

  @Override
  public NodeStatus status() {
    long latest = blocks.lastHeight();
    long earliest = blocks.baseHeight();
    Optional<Block> latestBlock = latest == 0 ? Optional.empty() : blocks.block(latest);
    Optional<Block> earliestBlock = earliest == 0 ? Optional.empty() : blocks.block(earliest);
    byte[] appHash = app.info().lastBlockAppHash();
    byte[] pub = signer.publicKey();
    long power = 0;
    // The set for the next height is unknown for a moment after a block is appended and before
    // consensus enters the next height; the set that signed the latest block stands in.
    List<Validator> current = history.at(latest + 1);
    if (current == null) {
      current = history.at(Math.max(1, latest));
    }
    if (current != null) {
      for (Validator v : current) {
        if (v.getPubKey().equals(ByteString.copyFrom(pub))) {
          power = v.getVotingPower();
        }
      }
    }
    return new NodeStatus(
        Hex.encode(Address.of(config.nodeKey().publicKey()).bytes()),
        config.p2pListen(),
        config.moniker(),
        config.genesis().chainId(),
        latest,
        blocks.blockHash(latest).orElse(new byte[0]),
        appHash,
        latestBlock.map(b -> Blocks.millis(b.getHeader().getTime())).orElse(0L),
        earliest,
        blocks.blockHash(earliest).orElse(new byte[0]),
        earliestBlock.map(b -> b.getHeader().getAppHash().toByteArray()).orElse(new byte[0]),
        earliestBlock.map(b -> Blocks.millis(b.getHeader().getTime())).orElse(0L),
        blockSync.catchingUp(),
        signer.address(),
        pub,
        power);
  }

  @Override
  public GenesisDoc genesis() {
    return config.genesis();
  }

  @Override
  public BlockStore blocks() {
    return blocks;
  }

  @Override
  public Optional<List<Validator>> validators(long height) {
    return Optional.ofNullable(history.at(height));
  }

  @Override
  public AppInfo appInfo() {
    Application.InfoResponse i = app.info();
    return new AppInfo(
        i.data(), i.version(), i.appVersion(), i.lastBlockHeight(), i.lastBlockAppHash());
  }

  @Override
  public QueryAnswer query(String path, byte[] data, long height, boolean prove) {
    Application.QueryResponse r =
        app.query(new Application.QueryRequest(path, data, height, prove));
    return new QueryAnswer(
        r.code(), r.codespace(), r.log(), r.key(), r.value(), r.height(), r.proof());
  }

  @Override
  public TxResult checkTx(byte[] tx) {
    return mempool.check(tx);
  }

  @Override
  public void prepareTxs(List<byte[]> txs) {
    if (mempool.hasRoom()) {
      signatures.preverifyAll(txs); // verified together; a full mempool refuses them unchecked
    }
  }

  @Override
  public TxResult broadcastTx(byte[] tx) {
    return gossip.broadcastTx(tx);
  }

  @Override
  public CompletableFuture<CommittedTx> awaitCommit(byte[] txHash, Duration timeout) {
    CompletableFuture<CommittedTx> f =
        mempool
            .awaitCommit(txHash, timeout)
            .thenApply(c -> new CommittedTx(c.height(), c.index(), c.result()));
    // The tx may have been committed before the waiter was registered.
    blocks
        .tx(txHash)
        .ifPresent(
            loc ->
                blocks
                    .results(loc.height())
                    .ifPresent(
                        r ->
                            f.complete(
                                new CommittedTx(
                                    loc.height(), loc.index(), r.getTxResults(loc.index())))));
    return f;
  }

  @Override
  public MempoolSnapshot mempool(int limit) {
    return new MempoolSnapshot(mempool.size(), mempool.totalBytes(), mempool.head(limit));
  }
}
