package io.peerz.node;

import io.peerz.consensus.AnchorFile;
import io.peerz.consensus.Application;
import io.peerz.consensus.BlockExecution;
import io.peerz.consensus.BlockPruner;
import io.peerz.consensus.BlockSyncReactor;
import io.peerz.consensus.ConsensusConfig;
import io.peerz.consensus.ConsensusDriver;
import io.peerz.consensus.ConsensusReactor;
import io.peerz.consensus.ConsensusWal;
import io.peerz.consensus.DecidedBlocks;
import io.peerz.consensus.EventBus;
import io.peerz.consensus.HaltPoint;
import io.peerz.consensus.Handshake;
import io.peerz.consensus.Mempool;
import io.peerz.consensus.MempoolReactor;
import io.peerz.consensus.PeerRouter;
import io.peerz.consensus.PeerzApplication;
import io.peerz.consensus.PrivValidator;
import io.peerz.consensus.ProposalBlocks;
import io.peerz.consensus.ReactorChannels;
import io.peerz.consensus.SignatureCache;
import io.peerz.consensus.StateSyncReactor;
import io.peerz.consensus.ValidatorHistory;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.TxSignatures;
import io.peerz.ledger.proto.TxResult;
import io.peerz.p2p.P2pConfig;
import io.peerz.p2p.P2pNode;
import io.peerz.rpc.RpcBackend;
import io.peerz.rpc.RpcServer;
import io.peerz.state.StateMachine;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node, wired as CometBFT's node/node.go wires one: the ledger, the application, the
 * mempool, the consensus driver with its WAL, the reactors (consensus, block sync, state sync,
 * mempool) behind the p2p router, and the JSON-RPC server, which hears of committed blocks on the
 * event bus. The pieces own their concerns; this class only builds, starts and stops them.
 */
public final class PeerzNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerzNode.class);

  private final NodeConfig config;
  private final LedgerDb db;
  private final Application app;
  private final Mempool mempool;
  private final PrivValidator signer;
  private final ConsensusConfig consensusConfig;
  private final ValidatorHistory history = new ValidatorHistory();
  private final EventBus events = new EventBus();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final ExecutorLoop loop;
  private final P2pTransport transport = new P2pTransport();
  private final ConsensusWal wal;
  private final BlockExecution execution;
  private final ConsensusDriver driver;
  private final MempoolReactor mempoolReactor;
  private final BlockSyncReactor blockSync;
  private final ConsensusReactor consensusReactor;
  private final StateSyncReactor stateSync;
  private final PeerRouter router;
  private final NodeRpc backend;
  private final TxSignatures signatures;
  private final AnchorFile anchorFile;
  private final HaltPoint haltPoint;
  private volatile RpcServer rpc;
  private volatile NodeMetrics metrics;
  private volatile boolean stateSyncing;
  private volatile boolean closing;
  private boolean stopped;
  private boolean haltedAtStart;

  /**
   * Opens the data directory, recovers to the last committed height (replaying decided blocks the
   * application has not committed), starts the sequencer and the JSON-RPC server, and returns once
   * RPC accepts requests.
   */
  public static PeerzNode start(NodeConfig config) {
    return start(config, null);
  }

  /**
   * As {@link #start(NodeConfig)}, registering the node's Prometheus metrics in {@code metrics}
   * (none when null) before anything runs, so that the first block is counted.
   */
  public static PeerzNode start(NodeConfig config, PrometheusRegistry metrics) {
    LedgerDb db = LedgerDb.open(dataDir(config.home()).resolve("ledger.db"), config.indexTxs());
    PeerzNode node = null;
    try {
      TxSignatures signatures = new TxSignatures();
      PeerzApplication app =
          new PeerzApplication(
              db,
              new StateMachine(signatures),
              config.genesis().chainId(),
              dataDir(config.home()).resolve("snapshots"),
              config.snapshots(),
              config.app());
      node =
          new PeerzNode(config, db, app, app::checkTxDry, signatures, BlockExecution.failpoint());
      if (metrics != null) {
        node.registerMetrics(metrics);
      }
      node.stateSyncIfFresh();
      node.startConsensus();
      if (node.haltedAtStart) {
        node.close();
        return node;
      }
      node.startP2p();
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
   * A node over any application, recovered but not yet running: {@link #startConsensus()}, {@link
   * #startP2p()} and {@link #startRpc()} are separate steps so tests can leave some out. The node
   * owns {@code signatures} (the memory the application's state machine verifies into) from here on
   * and closes it with itself.
   */
  PeerzNode(
      NodeConfig config,
      LedgerDb db,
      Application app,
      BiFunction<List<byte[]>, byte[], TxResult> dryCheck,
      TxSignatures signatures,
      String failpoint) {
    this.config = config;
    this.db = db;
    this.app = app;
    this.signatures = signatures;
    this.consensusConfig =
        ConsensusConfig.defaults(
            config.timeoutCommit() == null ? Duration.ofSeconds(1) : config.timeoutCommit());
    this.mempool =
        new Mempool(
            app, dryCheck, signatures, Mempool.MAX_TXS, Mempool.MAX_BYTES, Mempool.MAX_TX_BYTES);
    this.signer =
        new PrivValidator(
            config.validatorKey(), dataDir(config.home()).resolve("priv_validator_state.json"));
    this.loop = new ExecutorLoop(this::halt);
    this.wal = ConsensusWal.open(dataDir(config.home()).resolve("cs.wal"));
    this.anchorFile = new AnchorFile(dataDir(config.home()));
    this.haltPoint = new HaltPoint(config.app(), this::stopAtHalt);
    this.execution =
        new BlockExecution(
            db.blocks(),
            app,
            mempool,
            events,
            failpoint,
            new BlockPruner(db.blocks(), history, anchorFile, db::pruneBlocks),
            haltPoint);
    this.driver =
        new ConsensusDriver(
            consensusConfig,
            config.genesis().chainId(),
            signer,
            wal,
            history,
            loop,
            new ProposalBlocks(app, mempool),
            execution,
            new SignatureCache());
    this.mempoolReactor = new MempoolReactor(mempool, transport, signatures);
    this.blockSync = new BlockSyncReactor(DecidedBlocks.of(db.blocks()), transport, loop);
    this.consensusReactor =
        new ConsensusReactor(
            driver,
            blockSync,
            transport,
            loop,
            () -> db.blocks().baseHeight(),
            mempoolReactor::peersOf);
    this.stateSync =
        new StateSyncReactor(
            config.genesis().chainId(), app, db.blocks(), history, transport, anchorFile);
    driver.attach(consensusReactor, blockSync);
    blockSync.attach(driver);
    this.router =
        new PeerRouter(loop, transport, mempoolReactor)
            .add(consensusReactor)
            .add(blockSync)
            .add(stateSync);
    this.backend =
        new NodeRpc(
            config,
            db.blocks(),
            app,
            signer,
            history,
            mempool,
            mempoolReactor,
            blockSync,
            signatures);
  }

  static Path dataDir(Path home) {
    return home.resolve("data");
  }

  /**
   * With state sync enabled and nothing stored yet (no genesis committed, no block), starts p2p and
   * restores the application from a peer's snapshot; consensus then starts from the snapshot height
   * and block-syncs the rest. Throws IllegalStateException when no snapshot is restored in time.
   */
  void stateSyncIfFresh() {
    if (!config.stateSync().enable()) {
      return;
    }
    long initialHeight = Math.max(1, config.genesis().initialHeight());
    if (!stateSync.fresh(initialHeight)) {
      log.info(
          "state sync skipped reason=node already has state block_height={} app_height={}",
          db.blocks().lastHeight(),
          app.info().lastBlockHeight());
      return;
    }
    if (config.persistentPeers().isEmpty()) {
      throw new IllegalStateException(
          "state sync needs peers to fetch a snapshot from: set p2p.persistent_peers");
    }
    startP2p();
    stateSyncing = true;
    try {
      stateSync.restore(
          handshake().genesisValidators(), config.stateSync().timeout(), () -> closing);
    } finally {
      stateSyncing = false;
    }
  }

  /** Observes this node in {@code registry} (CometBFT's and peerz's metrics). */
  void registerMetrics(PrometheusRegistry registry) {
    metrics =
        NodeMetrics.register(
            registry,
            new NodeMetrics.Sources(
                config.genesis().chainId(),
                Math.max(1, config.genesis().initialHeight()),
                config.validatorKey().address().bytes(),
                events,
                db.blocks(),
                history,
                app,
                mempool,
                () -> {
                  P2pNode p = transport.p2p();
                  return p == null ? 0 : p.connectedPeers().size();
                },
                blockSync::catchingUp,
                () -> stateSyncing));
  }

  private Handshake handshake() {
    return new Handshake(
        config.genesis(), app, db.blocks(), execution, history, anchorFile, dataDir(config.home()));
  }

  /**
   * Handshake with the application, then runs consensus on its own thread. A node whose last commit
   * is its halt point starts nothing ({@link #haltedAtStart}); a halt height the chain has passed
   * is refused (IllegalArgumentException) before anything is replayed.
   */
  void startConsensus() {
    long last = app.info().lastBlockHeight();
    long lastTime =
        db.blocks().block(last).map(b -> Blocks.millis(b.getHeader().getTime())).orElse(0L);
    if (haltPoint.reachedAtStart(last, lastTime)) {
      haltedAtStart = true;
      log.info(
          "halt_reached height={} {} action=not starting, exit code 0: the node stands at its"
              + " halt point; set a later halt-height/halt-time, or 0, to go on",
          last,
          config.app().haltSettings());
      return;
    }
    if (!consensusConfig.createEmptyBlocks()) {
      mempool.onTxsAvailable(driver::txsAvailable);
    }
    driver.start(handshake().run());
  }

  /**
   * Starts p2p on the configured listen address, and the gossip timers that re-send what peers may
   * have lost. A node without persistent peers listens too, so that the node of a validator added
   * later (create-validator) can dial it. Does nothing when p2p already runs.
   */
  synchronized void startP2p() {
    // A node that halted (or closed) while starting starts nothing more.
    if (transport.p2p() != null || stopped) {
      return;
    }
    P2pNode p2p = P2pNode.start(p2pConfig(), router);
    transport.connect(p2p);
    mempoolReactor.start();
    consensusReactor.startGossip(
        ConsensusReactor.GOSSIP_INTERVAL, ConsensusReactor.GOSSIP_INTERVAL);
    log.info(
        "p2p started node_id={} address={} persistent_peers={}",
        p2p.nodeId(),
        p2p.listenAddress(),
        config.persistentPeers().size());
  }

  private P2pConfig p2pConfig() {
    P2pConfig defaults =
        P2pConfig.defaults(
            config.nodeKey(),
            config.genesis().chainId(),
            config.p2pListen(),
            config.persistentPeers());
    return new P2pConfig(
        defaults.nodeKey(),
        defaults.chainId(),
        defaults.listenAddress(),
        defaults.persistentPeers(),
        ReactorChannels.maxMessageBytes(consensusConfig.maxBlockTxBytes()),
        defaults.queueCapacity(),
        defaults.dialTimeout(),
        defaults.reconnectBackoffMin(),
        defaults.reconnectBackoffMax(),
        defaults.jitterSeed(),
        config.p2pLimits());
  }

  /** Starts JSON-RPC on the configured listen address, subscribed to committed blocks. */
  synchronized void startRpc() {
    if (stopped) {
      return;
    }
    rpc = RpcServer.start(backend, events, config.rpcListen(), config.rpcLimits());
    log.info("rpc listening address={}", rpc.address());
  }

  /**
   * The halt point's block is committed (on the consensus thread, inside its execution): consensus
   * takes no input after it, and once that execution has finished (the WAL rotated) the node
   * closes, so {@link #awaitTermination} returns and the process exits 0.
   */
  private void stopAtHalt(long height) {
    driver.stop();
    loop.execute(() -> new Thread(this::close, "peerz-halt").start());
  }

  /** Whether the node stood at its halt point when started, and so started nothing. */
  public boolean haltedAtStart() {
    return haltedAtStart;
  }

  private void halt(RuntimeException e) {
    // A node that cannot append or execute a decided block must not go on signing.
    log.error("consensus halted height={} error={}", db.blocks().lastHeight() + 1, e.toString(), e);
    closing = true;
    driver.stop();
    closed.countDown();
  }

  /** What the JSON-RPC server reads and calls on this node. */
  RpcBackend backend() {
    return backend;
  }

  /** The application this node drives (tests read its snapshots). */
  Application application() {
    return app;
  }

  /** The p2p node, or null when p2p is off (tests). */
  P2pNode p2pNode() {
    return transport.p2p();
  }

  /** The address p2p listens on, or empty when p2p is off. */
  String p2pAddress() {
    P2pNode p = transport.p2p();
    return p == null ? "" : p.listenAddress();
  }

  /** Tx gossip (tests count the copies that crossed each link). */
  MempoolReactor mempoolReactor() {
    return mempoolReactor;
  }

  /** Whether peers report heights this node is still fetching blocks for. */
  boolean catchingUp() {
    return blockSync.catchingUp();
  }

  /** The address the JSON-RPC server listens on, e.g. {@code 127.0.0.1:26657}. */
  public String rpcAddress() {
    RpcServer r = rpc;
    return r == null ? "" : r.address();
  }

  /** Blocks until {@link #close()} is called from another thread (or a shutdown hook). */
  public void awaitTermination() throws InterruptedException {
    closed.await();
  }

  /** Waits up to {@code timeout} for the node to close; returns whether it did. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return closed.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Stops RPC, p2p, consensus and the mempool's threads, then the application and storage. */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    closing = true;
    driver.stop();
    NodeMetrics m = metrics;
    if (m != null) {
      m.close();
    }
    try {
      RpcServer r = rpc;
      if (r != null) {
        r.close();
      }
    } catch (RuntimeException e) {
      log.warn("rpc close failed error={}", e.toString());
    }
    P2pNode p = transport.p2p();
    if (p != null) {
      try {
        p.close();
      } catch (RuntimeException e) {
        log.warn("p2p close failed error={}", e.toString());
      }
    }
    mempoolReactor.close();
    loop.close();
    wal.close();
    signatures.close();
    if (app instanceof AutoCloseable c) {
      try {
        c.close(); // a snapshot being written reads the database
      } catch (Exception e) {
        log.warn("application close failed error={}", e.toString());
      }
    }
    db.close();
    closed.countDown();
    log.info("node stopped");
  }
}
