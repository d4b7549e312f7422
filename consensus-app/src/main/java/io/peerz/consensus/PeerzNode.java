package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.consensus.proto.Proposal;
import io.peerz.consensus.proto.ProposalMessage;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.Address;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.Hex;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.TxResult;
import io.peerz.ledger.proto.Validator;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.rpc.RpcBackend;
import io.peerz.rpc.RpcServer;
import io.peerz.state.StateMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running node: storage, application, mempool, sequencer and JSON-RPC. */
public final class PeerzNode implements AutoCloseable, RpcBackend {

  /** System property (or PEERZ_FAILPOINT) naming a fail point; read once at start. */
  static final String FAILPOINT_PROPERTY = "peerz.failpoint";

  /** Halts the process right after a block with txs is appended, before it executes. */
  static final String FAILPOINT_AFTER_BLOCK_APPEND = "after-block-append";

  /** The exit status of a halt at a fail point. */
  static final int FAILPOINT_EXIT_STATUS = 86;

  static final int MEMPOOL_MAX_TXS = 5000;
  static final long MEMPOOL_MAX_BYTES = 64L << 20;
  static final int MAX_TX_BYTES = 1 << 20;

  private static final Logger log = LoggerFactory.getLogger(PeerzNode.class);

  private final NodeConfig config;
  private final LedgerDb db;
  private final Application app;
  private final Mempool mempool;
  private final PrivValidator signer;
  private final ConsensusConfig consensusConfig;
  private final ValidatorHistory history = new ValidatorHistory();
  private final boolean haltAfterAppend;
  private final ScheduledExecutorService loop;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final long initialHeight;
  private ConsensusCore core;
  private long recordedHeight;
  private volatile RpcServer rpc;
  private volatile boolean closing;
  private boolean stopped;

  /**
   * Opens the data directory, recovers to the last committed height (replaying decided blocks the
   * application has not committed), starts the sequencer and the JSON-RPC server, and returns once
   * RPC accepts requests.
   */
  public static PeerzNode start(NodeConfig config) {
    LedgerDb db = LedgerDb.open(dataDir(config.home()).resolve("ledger.db"));
    PeerzNode node = null;
    try {
      PeerzApplication app =
          new PeerzApplication(db, new StateMachine(), config.genesis().chainId());
      node = new PeerzNode(config, db, app, app::checkTxDry, readFailpoint());
      node.startConsensus();
      node.startRpc();
      return node;
    } catch (RuntimeException e) {
      if (node != null) {
        node.close();
      } else {
        db.close();
      }
      throw e;
    }
  }

  /**
   * A node over any application, recovered but not yet running: {@link #startConsensus()} and
   * {@link #startRpc()} are separate steps so tests can leave RPC out.
   */
  PeerzNode(
      NodeConfig config,
      LedgerDb db,
      Application app,
      java.util.function.BiFunction<List<byte[]>, byte[], TxResult> dryCheck,
      String failpoint) {
    this.config = config;
    this.db = db;
    this.app = app;
    this.haltAfterAppend = FAILPOINT_AFTER_BLOCK_APPEND.equals(failpoint);
    this.consensusConfig =
        ConsensusConfig.defaults(
            config.timeoutCommit() == null ? Duration.ofSeconds(1) : config.timeoutCommit());
    this.mempool = new Mempool(app, dryCheck, MEMPOOL_MAX_TXS, MEMPOOL_MAX_BYTES, MAX_TX_BYTES);
    this.signer =
        new PrivValidator(
            config.validatorKey(), dataDir(config.home()).resolve("priv_validator_state.json"));
    this.initialHeight = Math.max(1, config.genesis().initialHeight());
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "consensus");
              t.setDaemon(true);
              return t;
            });
  }

  static Path dataDir(Path home) {
    return home.resolve("data");
  }

  static String readFailpoint() {
    String p = System.getProperty(FAILPOINT_PROPERTY);
    return p != null ? p : System.getenv("PEERZ_FAILPOINT");
  }

  /** Handshake with the application, then runs consensus on its own thread. */
  void startConsensus() {
    ChainState state = handshake();
    recordedHeight = state.height();
    core =
        new ConsensusCore(
            consensusConfig,
            state,
            signer.address(),
            new MempoolBlocks(),
            System::currentTimeMillis);
    PrivValidator.LastSigned last = signer.lastSigned();
    // After a restart mid-height, begin past every round already signed in: no vote is asked for
    // twice, so the double-sign guard never has to refuse one.
    int startRound = last != null && last.height() == state.height() ? last.round() + 1 : 0;
    if (!consensusConfig.createEmptyBlocks()) {
      mempool.onTxsAvailable(() -> submit(new ConsensusEvent.TxsAvailable()));
    }
    loop.execute(() -> run(core.start(startRound)));
    log.info(
        "consensus started chain_id={} height={} round={} validator={}",
        state.chainId(),
        state.height(),
        startRound,
        Hex.encodeUpper(signer.address()));
  }

  /** Starts JSON-RPC on the configured listen address. */
  void startRpc() {
    rpc = RpcServer.start(this, config.rpcListen());
    log.info("rpc listening address={}", rpc.address());
  }

  // ---- handshake and recovery ----

  private ChainState handshake() {
    GenesisDoc g = config.genesis();
    BlockStore blocks = db.blocks();
    long genesisHeight = initialHeight - 1;
    List<ValidatorUpdate> docValidators = new ArrayList<>();
    for (GenesisDoc.Validator v : g.validators()) {
      docValidators.add(
          ValidatorUpdate.newBuilder()
              .setPubKey(ByteString.copyFrom(v.pubKey()))
              .setPower(v.power())
              .build());
    }
    Application.InfoResponse info = app.info();
    Optional<BlockResults> genesisResults = blocks.results(genesisHeight);
    boolean genesisCommitted = info.lastBlockHeight() > genesisHeight || genesisResults.isPresent();
    List<ValidatorUpdate> genesisValidators;
    byte[] genesisAppHash;
    if (!genesisCommitted) {
      if (blocks.lastHeight() > 0) {
        throw new IllegalStateException(
            "the event log holds blocks up to height "
                + blocks.lastHeight()
                + " but no genesis state is committed");
      }
      Application.InitChainResponse r =
          app.initChain(
              new Application.InitChainRequest(
                  g.genesisTimeMillis(),
                  g.chainId(),
                  docValidators,
                  g.appStateJson(),
                  initialHeight));
      genesisValidators = r.validators().isEmpty() ? docValidators : r.validators();
      genesisAppHash = r.appHash();
      log.info(
          "genesis committed chain_id={} app_hash={}", g.chainId(), Hex.encodeUpper(r.appHash()));
    } else {
      genesisValidators =
          genesisResults
              .map(BlockResults::getValidatorUpdatesList)
              .filter(l -> !l.isEmpty())
              .orElse(docValidators);
      genesisAppHash =
          genesisResults
              .map(r -> r.getAppHash().toByteArray())
              .orElseGet(
                  () ->
                      blocks
                          .block(initialHeight)
                          .map(b -> b.getHeader().getAppHash().toByteArray())
                          .orElse(info.lastBlockAppHash()));
    }

    // Crash recovery: blocks are appended before they execute, so the log may be ahead.
    long appHeight = app.info().lastBlockHeight();
    for (long h = Math.max(appHeight + 1, initialHeight); h <= blocks.lastHeight(); h++) {
      Block block = blocks.block(h).orElseThrow();
      Application.FinalizeBlockResponse r = execute(block);
      log.info(
          "replayed height={} txs={} app_hash={}",
          h,
          block.getTxsCount(),
          Hex.encodeUpper(r.appHash()));
    }

    ChainState state =
        ChainState.genesis(
            g.chainId(),
            initialHeight,
            g.genesisTimeMillis(),
            genesisValidators,
            genesisAppHash,
            app.info().appVersion());
    history.record(state.height(), state.validators());
    for (long h = initialHeight; h <= blocks.lastHeight(); h++) {
      Block block = blocks.block(h).orElseThrow();
      Commit commit = blocks.seenCommit(h).orElseThrow();
      BlockResults results =
          blocks
              .results(h)
              .orElseThrow(
                  () -> new IllegalStateException("no results stored for a replayed height"));
      state =
          state.next(
              block,
              commit,
              results.getAppHash().toByteArray(),
              BlockHashes.results(results.getTxResultsList()),
              results.getValidatorUpdatesList());
      history.record(state.height(), state.validators());
    }
    return state;
  }

  private Application.FinalizeBlockResponse execute(Block block) {
    List<byte[]> txs = new ArrayList<>(block.getTxsCount());
    for (ByteString tx : block.getTxsList()) {
      txs.add(tx.toByteArray());
    }
    Application.FinalizeBlockResponse r =
        app.finalizeBlock(
            new Application.FinalizeBlockRequest(
                txs,
                ChainState.blockId(block).getHash().toByteArray(),
                block.getHeader().getHeight(),
                SignBytes.millis(block.getHeader().getTime()),
                block.getHeader().getProposerAddress().toByteArray()));
    app.commit();
    mempool.update(block.getHeader().getHeight(), txs, r.txResults());
    return r;
  }

  // ---- the consensus loop (one thread) ----

  private void submit(ConsensusEvent e) {
    if (closing) {
      return;
    }
    try {
      loop.execute(() -> run(core.handle(e)));
    } catch (RejectedExecutionException ignored) {
      // Shutting down.
    }
  }

  private void run(List<ConsensusAction> first) {
    try {
      Deque<ConsensusEvent> events = new ArrayDeque<>();
      perform(first, events);
      while (!events.isEmpty() && !closing) {
        perform(core.handle(events.poll()), events);
        recordValidators();
      }
    } catch (RuntimeException e) {
      // A node that cannot append or execute a decided block must not go on signing.
      log.error("consensus halted height={} error={}", core.height(), e.toString(), e);
      closing = true;
      closed.countDown();
    }
  }

  private void recordValidators() {
    ChainState s = core.chainState();
    if (s.height() > recordedHeight) {
      history.record(s.height(), s.validators());
      recordedHeight = s.height();
    }
  }

  private void perform(List<ConsensusAction> actions, Deque<ConsensusEvent> events) {
    for (ConsensusAction a : actions) {
      if (a instanceof ConsensusAction.SignProposal p) {
        try {
          Proposal signed = signer.signProposal(config.genesis().chainId(), p.proposal());
          // Peers would get this message too; with one validator it only loops back.
          events.add(
              new ConsensusEvent.ProposalReceived(
                  ProposalMessage.newBuilder().setProposal(signed).setBlock(p.block()).build()));
        } catch (PrivValidator.DoubleSignException e) {
          log.error("proposal not signed reason={}", e.getMessage());
        }
      } else if (a instanceof ConsensusAction.SignVote v) {
        try {
          Vote signed = signer.signVote(config.genesis().chainId(), v.vote());
          events.add(new ConsensusEvent.VoteReceived(signed));
        } catch (PrivValidator.DoubleSignException e) {
          log.error("vote not signed reason={}", e.getMessage());
        }
      } else if (a instanceof ConsensusAction.ScheduleTimeout t) {
        if (!closing) {
          loop.schedule(
              () ->
                  run(
                      core.handle(
                          new ConsensusEvent.TimeoutElapsed(t.height(), t.round(), t.step()))),
              t.after().toMillis(),
              TimeUnit.MILLISECONDS);
        }
      } else if (a instanceof ConsensusAction.Decide d) {
        events.add(commitBlock(d.block(), d.commit()));
      }
    }
  }

  private ConsensusEvent.BlockApplied commitBlock(Block block, Commit commit) {
    long height = block.getHeader().getHeight();
    db.blocks().append(block, commit);
    if (haltAfterAppend && block.getTxsCount() > 0) {
      log.warn("failpoint={} height={} halting", FAILPOINT_AFTER_BLOCK_APPEND, height);
      Runtime.getRuntime().halt(FAILPOINT_EXIT_STATUS);
    }
    Application.FinalizeBlockResponse r = execute(block);
    log.info(
        "committed height={} txs={} app_hash={}",
        height,
        block.getTxsCount(),
        Hex.encodeUpper(r.appHash()));
    byte[] resultsHash = BlockHashes.results(r.txResults());
    ConsensusEvent.BlockApplied applied =
        new ConsensusEvent.BlockApplied(height, r.appHash(), resultsHash, r.validatorUpdates());
    return applied;
  }

  /** PrepareProposal over the mempool's txs; ProcessProposal for received blocks. */
  private final class MempoolBlocks implements ConsensusCore.BlockSource {
    @Override
    public List<byte[]> proposalTxs(
        long height, long timeMillis, byte[] proposer, long maxTxBytes) {
      return app.prepareProposal(
          new Application.PrepareProposalRequest(
              maxTxBytes, mempool.reap(maxTxBytes), height, timeMillis, proposer));
    }

    @Override
    public boolean accept(Block block, byte[] hash) {
      List<byte[]> txs = new ArrayList<>();
      for (ByteString tx : block.getTxsList()) {
        txs.add(tx.toByteArray());
      }
      return app.processProposal(
          new Application.ProcessProposalRequest(
              txs,
              hash,
              block.getHeader().getHeight(),
              SignBytes.millis(block.getHeader().getTime()),
              block.getHeader().getProposerAddress().toByteArray()));
    }
  }

  // ---- lifecycle ----

  /** The address the JSON-RPC server listens on, e.g. {@code 127.0.0.1:26657}. */
  public String rpcAddress() {
    RpcServer r = rpc;
    return r == null ? "" : r.address();
  }

  /** Blocks until {@link #close()} is called from another thread (or a shutdown hook). */
  public void awaitTermination() throws InterruptedException {
    closed.await();
  }

  /** Stops consensus, RPC and storage cleanly. */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    closing = true;
    try {
      RpcServer r = rpc;
      if (r != null) {
        r.close();
      }
    } catch (RuntimeException e) {
      log.warn("rpc close failed error={}", e.toString());
    }
    loop.shutdownNow();
    try {
      if (!loop.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("consensus thread did not stop within 30s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    db.close();
    closed.countDown();
    log.info("node stopped");
  }

  // ---- RpcBackend ----

  @Override
  public NodeStatus status() {
    BlockStore blocks = db.blocks();
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
        latestBlock.map(b -> SignBytes.millis(b.getHeader().getTime())).orElse(0L),
        earliest,
        blocks.blockHash(earliest).orElse(new byte[0]),
        earliestBlock.map(b -> b.getHeader().getAppHash().toByteArray()).orElse(new byte[0]),
        earliestBlock.map(b -> SignBytes.millis(b.getHeader().getTime())).orElse(0L),
        false,
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
    return db.blocks();
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
  public TxResult broadcastTx(byte[] tx) {
    return mempool.add(tx);
  }

  @Override
  public CompletableFuture<CommittedTx> awaitCommit(byte[] txHash, Duration timeout) {
    CompletableFuture<CommittedTx> f =
        mempool
            .awaitCommit(txHash, timeout)
            .thenApply(c -> new CommittedTx(c.height(), c.index(), c.result()));
    // The tx may have been committed before the waiter was registered.
    db.blocks()
        .tx(txHash)
        .ifPresent(
            loc ->
                db.blocks()
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

  /** The height consensus works on (tests). */
  long consensusHeight() {
    return db.blocks().lastHeight() + 1;
  }
}
