package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.consensus.proto.BlockRequest;
import io.peerz.consensus.proto.ChunkRequest;
import io.peerz.consensus.proto.ChunkResponse;
import io.peerz.consensus.proto.DecidedBlock;
import io.peerz.consensus.proto.LightBlockResponse;
import io.peerz.consensus.proto.NoBlock;
import io.peerz.consensus.proto.Proposal;
import io.peerz.consensus.proto.ProposalMessage;
import io.peerz.consensus.proto.ReactorMessage;
import io.peerz.consensus.proto.RoundState;
import io.peerz.consensus.proto.SnapshotInfo;
import io.peerz.consensus.proto.SnapshotsResponse;
import io.peerz.consensus.proto.StateSyncAnchor;
import io.peerz.consensus.proto.Txs;
import io.peerz.consensus.proto.Vote;
import io.peerz.consensus.proto.WalRecord;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Address;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.Hex;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.StateSnapshot;
import io.peerz.ledger.TxSignatures;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.TxResult;
import io.peerz.ledger.proto.Validator;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.p2p.Misbehavior;
import io.peerz.p2p.P2pChannels;
import io.peerz.p2p.P2pConfig;
import io.peerz.p2p.P2pNode;
import io.peerz.rpc.RpcBackend;
import io.peerz.rpc.RpcServer;
import io.peerz.state.StateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: storage, application, mempool, consensus (with its WAL), the consensus reactor
 * over p2p (gossip, catch-up, block sync, mempool gossip) and JSON-RPC.
 */
public final class PeerzNode implements AutoCloseable, RpcBackend {

  /** System property (or PEERZ_FAILPOINT) naming a fail point; read once at start. */
  static final String FAILPOINT_PROPERTY = "peerz.failpoint";

  /** Halts the process right after a block with txs is appended, before it executes. */
  static final String FAILPOINT_AFTER_BLOCK_APPEND = "after-block-append";

  /** The exit status of a halt at a fail point. */
  static final int FAILPOINT_EXIT_STATUS = 86;

  static final int MEMPOOL_MAX_TXS = 50_000;

  /**
   * The txs a proposal carries when it must travel to other validators, below the chain's block
   * limit: about 7,000 bank sends, which arrive, are checked and voted on within round 0's timeouts
   * even on a small shared machine. A larger proposal after a slow height (its mempool full) was
   * seen to miss round 0, and the next ones grew larger still. A lone validator fills blocks.
   */
  static final long PROPOSAL_TX_BYTES = 1L << 20;

  static final long MEMPOOL_MAX_BYTES = 64L << 20;
  static final int MAX_TX_BYTES = 1 << 20;

  // A mempool's worth: a tx dropped here leaves a gap in its account's nonces, and this node then
  // refuses the account's later txs (nonce ahead) until a block from another mempool fills it.
  static final int PEER_TX_QUEUE = MEMPOOL_MAX_TXS;
  static final int TX_GOSSIP_BATCH = 512;
  static final int TX_GOSSIP_BYTES = 512 << 10;
  static final Duration TX_GOSSIP_INTERVAL = Duration.ofMillis(20);
  static final int PEER_TX_BATCH = 2048;

  /** How often proposals, votes and round states are re-sent (loss tolerance). */
  static final Duration GOSSIP_INTERVAL = Duration.ofMillis(500);

  /** Heights requested ahead of the current one during block sync. */
  static final int SYNC_WINDOW = 16;

  private static final long REQUEST_RETRY_NANOS = 2_000_000_000L;
  // A proposal or a decided block is MBs under load, and a peer busy executing a block announces
  // late that it has one: re-sending sooner than this fills its queue with copies of the same MBs.
  private static final long CATCH_UP_RESEND_NANOS = 2_000_000_000L;
  private static final long PROPOSAL_RESEND_NANOS = 2_000_000_000L;

  private static final Logger log = LoggerFactory.getLogger(PeerzNode.class);

  /** A tx to gossip, and the peer it came from (null: from this node's RPC). */
  private record GossipTx(byte[] tx, String from) {}

  /** What a peer last said about itself, and what we last pushed to it; loop thread only. */
  private static final class PeerState {
    long height;
    int round;
    int step;
    boolean hasProposal;
    long sentHeight = -1;
    long sentAtNanos;
    long proposalSentHeight = -1;
    int proposalSentRound = -1;
    long proposalSentAtNanos;

    /** Whether the proposal of height/round goes to this peer now, and if so notes it as sent. */
    boolean sendProposal(long height, int round, long now) {
      if (proposalSentHeight == height
          && proposalSentRound == round
          && now - proposalSentAtNanos < PROPOSAL_RESEND_NANOS) {
        return false;
      }
      proposalSentHeight = height;
      proposalSentRound = round;
      proposalSentAtNanos = now;
      return true;
    }
  }

  private final NodeConfig config;
  private final LedgerDb db;
  private final Application app;
  private final Mempool mempool;
  private final PrivValidator signer;
  private final ConsensusConfig consensusConfig;
  private final ValidatorHistory history = new ValidatorHistory();
  private final boolean haltAfterAppend;
  private final ScheduledExecutorService loop;
  private final java.util.concurrent.atomic.AtomicBoolean intakeFull =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final java.util.concurrent.LinkedBlockingQueue<GossipTx> peerTxQueue =
      new java.util.concurrent.LinkedBlockingQueue<>(PEER_TX_QUEUE);
  private final java.util.concurrent.atomic.AtomicBoolean intakeScheduled =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final List<GossipTx> gossipBuffer = new ArrayList<>();
  // Each peer's own peers, as its round state last said: whom not to relay its txs to.
  private final Map<String, Set<String>> peersOfPeers =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong txsFromPeers =
      new java.util.concurrent.atomic.AtomicLong();
  private long gossipBytes;
  private final ScheduledExecutorService txGossip =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "mempool-gossip");
            t.setDaemon(true);
            return t;
          });
  private final java.util.concurrent.ExecutorService intake =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "mempool-intake");
            t.setDaemon(true);
            return t;
          });
  private final CountDownLatch closed = new CountDownLatch(1);
  private final long initialHeight;
  private ConsensusCore core;
  private ConsensusWal wal;
  private volatile P2pNode p2p;
  private final Map<String, PeerState> peers = new HashMap<>();
  private final TreeMap<Long, DecidedBlock> synced = new TreeMap<>();
  private final TreeMap<Long, Long> requested = new TreeMap<>();
  private RoundState announced;
  private volatile boolean catchingUp;
  private long recordedHeight;
  private volatile RpcServer rpc;
  private volatile boolean closing;
  private boolean stopped;
  private volatile StateSyncer stateSyncer;

  /**
   * Opens the data directory, recovers to the last committed height (replaying decided blocks the
   * application has not committed), starts the sequencer and the JSON-RPC server, and returns once
   * RPC accepts requests.
   */
  public static PeerzNode start(NodeConfig config) {
    LedgerDb db = LedgerDb.open(dataDir(config.home()).resolve("ledger.db"), config.indexTxs());
    PeerzNode node = null;
    try {
      PeerzApplication app =
          new PeerzApplication(
              db,
              new StateMachine(),
              config.genesis().chainId(),
              dataDir(config.home()).resolve("snapshots"),
              config.snapshots());
      node = new PeerzNode(config, db, app, app::checkTxDry, readFailpoint());
      node.stateSyncIfFresh();
      node.startConsensus();
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
    wal = ConsensusWal.open(dataDir(config.home()).resolve("cs.wal"));
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
    int fallbackRound = last != null && last.height() == state.height() ? last.round() + 1 : 0;
    List<WalRecord> records = wal.recovered();
    boolean replayed = records.stream().anyMatch(r -> WalReplay.height(r) >= state.height());
    List<ConsensusAction> first = WalReplay.replay(core, records, signer.address(), fallbackRound);
    wal.height(state.height());
    if (!replayed) {
      wal.rotate(state.height());
      wal.append(WalReplay.start(state.height(), fallbackRound));
      wal.sync();
    }
    if (!consensusConfig.createEmptyBlocks()) {
      mempool.onTxsAvailable(() -> submit(new ConsensusEvent.TxsAvailable()));
    }
    loop.execute(() -> run(first));
    log.info(
        "consensus started chain_id={} height={} round={} wal_records={} lock_restored={}"
            + " validator={}",
        state.chainId(),
        state.height(),
        core.round(),
        records.size(),
        replayed,
        Hex.encodeUpper(signer.address()));
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
    // A restore writes its anchor before any block arrives: with one, the node has state.
    boolean fresh =
        db.blocks().lastHeight() == 0
            && db.blocks().results(initialHeight - 1).isEmpty()
            && !Files.exists(anchorFile());
    if (!fresh) {
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
    StateSyncer syncer =
        new StateSyncer(
            config.genesis().chainId(),
            ValidatorSet.of(genesisValidatorUpdates()),
            app,
            new StateSyncer.Transport() {
              @Override
              public void send(String peer, int channel, ReactorMessage m) {
                PeerzNode.this.send(peer, channel, m);
              }

              @Override
              public void broadcast(int channel, ReactorMessage m) {
                PeerzNode.this.broadcast(channel, m);
              }
            },
            () -> closing);
    stateSyncer = syncer;
    StateSyncAnchor anchor;
    try {
      anchor = syncer.run(config.stateSync().timeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during state sync", e);
    } finally {
      stateSyncer = null;
    }
    writeAnchor(anchor);
  }

  /** The genesis validators as the application settles them (InitChain without writing). */
  private List<ValidatorUpdate> genesisValidatorUpdates() {
    List<ValidatorUpdate> docValidators = genesisDocValidators();
    if (app instanceof PeerzApplication pa) {
      GenesisDoc g = config.genesis();
      List<ValidatorUpdate> v =
          pa.genesisValidators(
              new Application.InitChainRequest(
                  g.genesisTimeMillis(),
                  g.chainId(),
                  docValidators,
                  g.appStateJson(),
                  initialHeight));
      return v.isEmpty() ? docValidators : v;
    }
    return docValidators;
  }

  private List<ValidatorUpdate> genesisDocValidators() {
    List<ValidatorUpdate> out = new ArrayList<>();
    for (GenesisDoc.Validator v : config.genesis().validators()) {
      out.add(
          ValidatorUpdate.newBuilder()
              .setPubKey(ByteString.copyFrom(v.pubKey()))
              .setPower(v.power())
              .build());
    }
    return out;
  }

  private Path anchorFile() {
    return dataDir(config.home()).resolve("statesync.pb");
  }

  private void writeAnchor(StateSyncAnchor anchor) {
    Path file = anchorFile();
    Path tmp = file.resolveSibling("statesync.pb.tmp");
    try {
      Files.write(tmp, anchor.toByteArray());
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The light blocks a state-synced node resumes from, or null for a node synced from genesis. */
  private StateSyncAnchor readAnchor() {
    Path file = anchorFile();
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return StateSyncAnchor.parseFrom(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Starts p2p on the configured listen address, and the gossip timer that re-sends what peers may
   * have lost. A node without persistent peers listens too, so that the node of a validator added
   * later (create-validator) can dial it. Does nothing when p2p already runs.
   */
  void startP2p() {
    if (p2p != null) {
      return;
    }
    P2pConfig defaults =
        P2pConfig.defaults(
            config.nodeKey(),
            config.genesis().chainId(),
            config.p2pListen(),
            config.persistentPeers());
    P2pConfig p2pConfig =
        new P2pConfig(
            defaults.nodeKey(),
            defaults.chainId(),
            defaults.listenAddress(),
            defaults.persistentPeers(),
            ReactorChannels.maxMessageBytes(
                consensusConfig.maxBlockTxBytes(), TX_GOSSIP_BATCH, TX_GOSSIP_BYTES, MAX_TX_BYTES),
            defaults.queueCapacity(),
            defaults.dialTimeout(),
            defaults.reconnectBackoffMin(),
            defaults.reconnectBackoffMax(),
            defaults.jitterSeed(),
            config.p2pLimits());
    p2p =
        P2pNode.start(
            p2pConfig,
            new P2pNode.Listener() {
              @Override
              public void onPeerConnected(String peerId) {
                enqueue(() -> peerConnected(peerId));
              }

              @Override
              public void onPeerDisconnected(String peerId) {
                peersOfPeers.remove(peerId);
                enqueue(() -> peers.remove(peerId));
              }

              @Override
              public void onMessage(String peerId, int channel, byte[] message) {
                if (channel == P2pChannels.MEMPOOL) {
                  peerTxsReceived(peerId, message);
                } else {
                  enqueue(() -> peerMessage(peerId, channel, message));
                }
              }
            });
    txGossip.scheduleWithFixedDelay(
        () -> {
          try {
            flushTxGossip();
          } catch (RuntimeException e) {
            log.warn("tx gossip failed error={}", e.toString());
          }
        },
        TX_GOSSIP_INTERVAL.toMillis(),
        TX_GOSSIP_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
    loop.scheduleWithFixedDelay(
        () -> guarded(this::gossipTick),
        GOSSIP_INTERVAL.toMillis(),
        GOSSIP_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
    log.info(
        "p2p started node_id={} address={} persistent_peers={}",
        p2p.nodeId(),
        p2p.listenAddress(),
        config.persistentPeers().size());
  }

  /** The application this node drives (tests read its snapshots). */
  Application application() {
    return app;
  }

  /** The p2p node, or null when p2p is off (tests). */
  P2pNode p2pNode() {
    return p2p;
  }

  /** The address p2p listens on, or empty when p2p is off. */
  String p2pAddress() {
    P2pNode p = p2p;
    return p == null ? "" : p.listenAddress();
  }

  /** Starts JSON-RPC on the configured listen address. */
  void startRpc() {
    rpc = RpcServer.start(this, config.rpcListen(), config.rpcLimits());
    log.info("rpc listening address={}", rpc.address());
  }

  // ---- handshake and recovery ----

  private ChainState handshake() {
    BlockStore blocks = db.blocks();
    StateSyncAnchor anchor = readAnchor();
    ChainState state = anchor != null ? anchoredState(anchor) : genesisState();

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

    history.record(state.height(), state.validators());
    for (long h = state.height(); h <= blocks.lastHeight(); h++) {
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

  /** The state after a snapshot restore: the blocks below it are not here, its anchor is. */
  private ChainState anchoredState(StateSyncAnchor anchor) {
    long appHeight = app.info().lastBlockHeight();
    if (appHeight < anchor.getHeight()) {
      throw new IllegalStateException(
          "state sync to height "
              + anchor.getHeight()
              + " did not finish (the application is at height "
              + appHeight
              + "): delete "
              + dataDir(config.home())
              + " and start again with state sync enabled");
    }
    ChainState state =
        StateSyncer.chainState(
            config.genesis().chainId(), initialHeight, app.info().appVersion(), anchor);
    history.record(anchor.getHeight(), state.lastValidators());
    log.info(
        "resuming from state sync snapshot height={} app_hash={} block_base={}",
        anchor.getHeight(),
        Hex.encodeUpper(state.appHash()),
        db.blocks().baseHeight());
    return state;
  }

  /** The state before the first block, committing genesis (InitChain) when it is not yet. */
  private ChainState genesisState() {
    GenesisDoc g = config.genesis();
    BlockStore blocks = db.blocks();
    long genesisHeight = initialHeight - 1;
    List<ValidatorUpdate> docValidators = genesisDocValidators();
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
    return ChainState.genesis(
        g.chainId(),
        initialHeight,
        g.genesisTimeMillis(),
        genesisValidators,
        genesisAppHash,
        app.info().appVersion());
  }

  private Application.FinalizeBlockResponse execute(Block block) {
    List<byte[]> txs = new ArrayList<>(block.getTxsCount());
    for (ByteString tx : block.getTxsList()) {
      txs.add(tx.toByteArray());
    }
    long t0 = System.nanoTime();
    Application.FinalizeBlockResponse r =
        app.finalizeBlock(
            new Application.FinalizeBlockRequest(
                txs,
                ChainState.blockId(block).getHash().toByteArray(),
                block.getHeader().getHeight(),
                SignBytes.millis(block.getHeader().getTime()),
                block.getHeader().getProposerAddress().toByteArray(),
                Evidence.misbehavior(block)));
    long t1 = System.nanoTime();
    mempool.update(block.getHeader().getHeight(), txs, r.txResults(), app::commit);
    log.debug(
        "executed height={} finalize_ms={} commit_and_recheck_ms={}",
        block.getHeader().getHeight(),
        (t1 - t0) / 1_000_000,
        (System.nanoTime() - t1) / 1_000_000);
    return r;
  }

  // ---- the consensus loop (one thread) ----

  private void enqueue(Runnable task) {
    if (closing) {
      return;
    }
    try {
      loop.execute(() -> guarded(task));
    } catch (RejectedExecutionException ignored) {
      // Shutting down.
    }
  }

  /** Runs a loop task; a failure in it stops consensus rather than going on in a bad state. */
  private void guarded(Runnable task) {
    if (closing) {
      return;
    }
    try {
      task.run();
    } catch (RuntimeException e) {
      halt(e);
    }
  }

  private void halt(RuntimeException e) {
    // A node that cannot append or execute a decided block must not go on signing.
    log.error(
        "consensus halted height={} error={}", core == null ? 0 : core.height(), e.toString(), e);
    closing = true;
    closed.countDown();
  }

  private void submit(ConsensusEvent e) {
    enqueue(() -> deliver(e));
  }

  /** An input from outside the core: logged to the WAL (when new), then handled. */
  private void deliver(ConsensusEvent e) {
    if (core.known(e)) {
      return;
    }
    WalRecord r = WalReplay.record(e, core.height());
    // The next height's messages are logged too: the core buffers them and uses them after the
    // commit, so a replay of that height needs them.
    if (r != null
        && WalReplay.height(r) >= core.height()
        && WalReplay.height(r) <= core.height() + 1) {
      wal.append(r);
    }
    run(core.handle(e));
  }

  private void run(List<ConsensusAction> first) {
    try {
      Deque<ConsensusEvent> events = new ArrayDeque<>();
      perform(first, events);
      while (!closing) {
        ConsensusEvent next = events.poll();
        if (next == null) {
          next = nextSyncedBlock();
          if (next == null) {
            break;
          }
        }
        perform(core.handle(next), events);
        recordValidators();
      }
      announce();
    } catch (RuntimeException e) {
      halt(e);
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
          ProposalMessage m =
              ProposalMessage.newBuilder().setProposal(signed).setBlock(p.block()).build();
          // On disk before it leaves the process: a restart must know it proposed this.
          wal.append(WalRecord.newBuilder().setProposal(m).build());
          wal.sync();
          broadcast(P2pChannels.CONSENSUS_DATA, ReactorMessage.newBuilder().setProposal(m).build());
          long now = System.nanoTime();
          peers.values().forEach(ps -> ps.sendProposal(signed.getHeight(), signed.getRound(), now));
          events.add(new ConsensusEvent.ProposalReceived(m));
        } catch (PrivValidator.DoubleSignException e) {
          log.error("proposal not signed reason={}", e.getMessage());
        }
      } else if (a instanceof ConsensusAction.SignVote v) {
        try {
          Vote signed = signer.signVote(config.genesis().chainId(), v.vote());
          wal.append(WalRecord.newBuilder().setVote(signed).build());
          wal.sync();
          broadcast(
              P2pChannels.CONSENSUS_VOTE, ReactorMessage.newBuilder().setVote(signed).build());
          events.add(new ConsensusEvent.VoteReceived(signed));
        } catch (PrivValidator.DoubleSignException e) {
          log.error("vote not signed reason={}", e.getMessage());
        }
      } else if (a instanceof ConsensusAction.ScheduleTimeout t) {
        if (!closing) {
          loop.schedule(
              () ->
                  guarded(
                      () ->
                          deliver(
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
    // The set of the next height is known now; record it before the block becomes visible.
    history.record(height + 1, core.chainState().nextValidators());
    recordedHeight = height + 1;
    long t0 = System.nanoTime();
    db.blocks().append(block, commit);
    if (haltAfterAppend && block.getTxsCount() > 0) {
      log.warn("failpoint={} height={} halting", FAILPOINT_AFTER_BLOCK_APPEND, height);
      Runtime.getRuntime().halt(FAILPOINT_EXIT_STATUS);
    }
    long t1 = System.nanoTime();
    Application.FinalizeBlockResponse r = execute(block);
    // The block is stored and executed: this height's inputs are no longer needed.
    wal.rotate(height + 1);
    log.info(
        "committed height={} round={} txs={} app_hash={} append_ms={} execute_ms={}",
        height,
        commit.getRound(),
        block.getTxsCount(),
        Hex.encodeUpper(r.appHash()),
        (t1 - t0) / 1_000_000,
        (System.nanoTime() - t1) / 1_000_000);
    RpcServer server = rpc;
    if (server != null) {
      // Stored and executed: websocket subscribers get the block's events (off this thread).
      server.publishCommitted(height);
    }
    byte[] resultsHash = BlockHashes.results(r.txResults());
    return new ConsensusEvent.BlockApplied(height, r.appHash(), resultsHash, r.validatorUpdates());
  }

  // ---- the consensus reactor (p2p side, on the consensus loop) ----

  private void broadcast(int channel, ReactorMessage m) {
    P2pNode p = p2p;
    if (p == null) {
      return;
    }
    try {
      p.broadcast(channel, m.toByteArray());
    } catch (IllegalArgumentException e) {
      log.warn(
          "p2p message not sent channel=0x{} error={}",
          Integer.toHexString(channel),
          e.getMessage());
    }
  }

  private void send(String peer, int channel, ReactorMessage m) {
    P2pNode p = p2p;
    if (p == null) {
      return;
    }
    try {
      p.send(peer, channel, m.toByteArray());
    } catch (IllegalArgumentException e) {
      log.warn(
          "p2p message not sent channel=0x{} error={}",
          Integer.toHexString(channel),
          e.getMessage());
    }
  }

  private RoundState roundState() {
    return RoundState.newBuilder()
        .setHeight(core.height())
        .setRound(core.round())
        .setStep(core.step().ordinal())
        .setHasProposal(core.hasProposal())
        .setBaseHeight(db.blocks().baseHeight())
        .addAllPeers(
            p2p == null
                ? List.of()
                : p2p.connectedPeers().stream().limit(ReactorChannels.ROUND_STATE_PEERS).toList())
        .build();
  }

  /** Tells peers about a new height, round or step (CometBFT's NewRoundStep). */
  private void announce() {
    if (p2p == null || closing) {
      return;
    }
    RoundState rs = roundState();
    if (!rs.equals(announced)) {
      announced = rs;
      broadcast(P2pChannels.CONSENSUS_STATE, ReactorMessage.newBuilder().setRoundState(rs).build());
    }
  }

  private void peerConnected(String peer) {
    peers.put(peer, new PeerState());
    log.info("peer connected peer={} peers={}", peer, peers.size());
    if (core == null) {
      return; // state syncing: no round state to tell yet
    }
    send(
        peer,
        P2pChannels.CONSENSUS_STATE,
        ReactorMessage.newBuilder().setRoundState(roundState()).build());
  }

  /**
   * A peer's message as the reactors take it, or null after reporting to p2p a message that does
   * not decode or came on a channel that does not carry its kind.
   */
  private ReactorMessage decodePeerMessage(String peer, int channel, byte[] bytes) {
    ReactorMessage m = ReactorChannels.decode(channel, bytes);
    if (m == null) {
      P2pNode p = p2p;
      if (p != null) {
        p.reportMisbehavior(peer, Misbehavior.UNDECODABLE, ReactorChannels.problem(channel, bytes));
      }
    }
    return m;
  }

  /** Tells p2p that {@code peer} sent what nobody asked for (see {@link Misbehavior}). */
  private void unsolicited(String peer, String what) {
    P2pNode p = p2p;
    if (p != null) {
      p.reportMisbehavior(peer, Misbehavior.UNSOLICITED, what);
    }
  }

  private void peerMessage(String peer, int channel, byte[] bytes) {
    ReactorMessage m = decodePeerMessage(peer, channel, bytes);
    if (m == null) {
      return;
    }
    switch (m.getMsgCase()) {
      case SNAPSHOTS_REQUEST -> serveSnapshots(peer);
      case CHUNK_REQUEST -> serveChunk(peer, m.getChunkRequest());
      case LIGHT_BLOCK_REQUEST -> serveLightBlock(peer, m.getLightBlockRequest().getHeight());
      case SNAPSHOTS_RESPONSE, CHUNK_RESPONSE, LIGHT_BLOCK_RESPONSE -> {
        StateSyncer syncer = stateSyncer;
        if (syncer != null) {
          syncer.deliver(peer, m);
        } else {
          unsolicited(peer, "state sync response while not state syncing");
        }
      }
      default -> {
        if (core != null) {
          consensusMessage(peer, m);
        }
      }
    }
  }

  private void consensusMessage(String peer, ReactorMessage m) {
    switch (m.getMsgCase()) {
      case PROPOSAL -> deliver(new ConsensusEvent.ProposalReceived(m.getProposal()));
      case VOTE -> deliver(new ConsensusEvent.VoteReceived(m.getVote()));
      case ROUND_STATE -> peerRoundState(peer, m.getRoundState());
      case BLOCK_REQUEST -> serveBlock(peer, m.getBlockRequest().getHeight(), true);
      case BLOCK_RESPONSE -> syncedBlock(m.getBlockResponse());
      case NO_BLOCK -> {
        if (requested.remove(m.getNoBlock().getHeight()) == null) {
          unsolicited(peer, "no_block for height " + m.getNoBlock().getHeight() + " not requested");
        }
      }
      default -> log.debug("peer message unexpected peer={} case={}", peer, m.getMsgCase());
    }
  }

  // ---- state sync, serving side (CometBFT's statesync reactor) ----

  /** The snapshots the application serves, newest first. */
  private void serveSnapshots(String peer) {
    SnapshotsResponse.Builder out = SnapshotsResponse.newBuilder();
    for (StateSnapshot s : app.listSnapshots()) {
      out.addSnapshots(
          SnapshotInfo.newBuilder()
              .setHeight(s.height())
              .setFormat(s.format())
              .setChunks(s.chunks())
              .setHash(ByteString.copyFrom(s.hash()))
              .setMetadata(ByteString.copyFrom(s.metadata())));
    }
    send(
        peer,
        P2pChannels.STATE_SYNC_SNAPSHOT,
        ReactorMessage.newBuilder().setSnapshotsResponse(out).build());
  }

  private void serveChunk(String peer, ChunkRequest r) {
    byte[] chunk = app.loadSnapshotChunk(r.getHeight(), r.getFormat(), r.getIndex());
    send(
        peer,
        P2pChannels.STATE_SYNC_CHUNK,
        ReactorMessage.newBuilder()
            .setChunkResponse(
                ChunkResponse.newBuilder()
                    .setHeight(r.getHeight())
                    .setFormat(r.getFormat())
                    .setIndex(r.getIndex())
                    .setChunk(ByteString.copyFrom(chunk))
                    .setMissing(chunk.length == 0))
            .build());
  }

  /** A decided block, its commit and the validator sets of its height and the next. */
  private void serveLightBlock(String peer, long height) {
    Optional<Block> block = db.blocks().block(height);
    Optional<Commit> commit = db.blocks().seenCommit(height);
    ValidatorSet vals = history.setAt(height);
    ValidatorSet next = history.setAt(height + 1);
    LightBlockResponse.Builder out = LightBlockResponse.newBuilder().setHeight(height);
    if (block.isPresent() && commit.isPresent() && vals != null && next != null) {
      out.setBlock(block.get())
          .setCommit(commit.get())
          .setValidators(StateSyncer.state(vals))
          .setNextValidators(StateSyncer.state(next));
    } else {
      out.setMissing(true);
    }
    send(
        peer,
        P2pChannels.STATE_SYNC_SNAPSHOT,
        ReactorMessage.newBuilder().setLightBlockResponse(out).build());
  }

  private void peerRoundState(String peer, RoundState rs) {
    PeerState p = peers.computeIfAbsent(peer, x -> new PeerState());
    p.height = rs.getHeight();
    p.round = rs.getRound();
    p.step = rs.getStep();
    p.hasProposal = rs.getHasProposal();
    peersOfPeers.put(peer, Set.copyOf(rs.getPeersList()));
    if (p.height < core.height()) {
      catchUp(peer, p);
    } else if (p.height > core.height()) {
      requestBlocks();
    }
    updateCatchingUp();
  }

  /** A peer below us gets the decided block and commit of the height it works on. */
  private void catchUp(String peer, PeerState p) {
    long now = System.nanoTime();
    if (p.sentHeight == p.height && now - p.sentAtNanos < CATCH_UP_RESEND_NANOS) {
      return;
    }
    if (serveBlock(peer, p.height, false)) {
      p.sentHeight = p.height;
      p.sentAtNanos = now;
    }
  }

  private boolean serveBlock(String peer, long height, boolean answerMissing) {
    Optional<Block> block = db.blocks().block(height);
    Optional<Commit> commit = db.blocks().seenCommit(height);
    if (block.isPresent() && commit.isPresent()) {
      send(
          peer,
          P2pChannels.BLOCK_SYNC,
          ReactorMessage.newBuilder()
              .setBlockResponse(
                  DecidedBlock.newBuilder().setBlock(block.get()).setCommit(commit.get()))
              .build());
      return true;
    }
    if (answerMissing) {
      send(
          peer,
          P2pChannels.BLOCK_SYNC,
          ReactorMessage.newBuilder().setNoBlock(NoBlock.newBuilder().setHeight(height)).build());
    }
    return false;
  }

  /** Asks peers that are ahead for the next blocks, a window at a time, spread over them. */
  private void requestBlocks() {
    long h = core.height();
    requested.headMap(h).clear();
    synced.headMap(h).clear();
    long now = System.nanoTime();
    List<Map.Entry<String, PeerState>> ahead = new ArrayList<>();
    for (Map.Entry<String, PeerState> e : peers.entrySet()) {
      if (e.getValue().height > h) {
        ahead.add(e);
      }
    }
    ahead.sort(Map.Entry.comparingByKey());
    if (ahead.isEmpty()) {
      return;
    }
    for (long x = h; x < h + SYNC_WINDOW; x++) {
      Long at = requested.get(x);
      if (synced.containsKey(x) || (at != null && now - at < REQUEST_RETRY_NANOS)) {
        continue;
      }
      String target = null;
      for (int i = 0; i < ahead.size(); i++) {
        Map.Entry<String, PeerState> e = ahead.get((int) ((x + i) % ahead.size()));
        if (e.getValue().height > x) {
          target = e.getKey();
          break;
        }
      }
      if (target == null) {
        break;
      }
      requested.put(x, now);
      send(
          target,
          P2pChannels.BLOCK_SYNC,
          ReactorMessage.newBuilder()
              .setBlockRequest(BlockRequest.newBuilder().setHeight(x))
              .build());
    }
  }

  private void syncedBlock(DecidedBlock d) {
    long h = d.getBlock().getHeader().getHeight();
    requested.remove(h);
    if (h < core.height() || h >= core.height() + SYNC_WINDOW) {
      return;
    }
    synced.putIfAbsent(h, d);
    run(List.of());
    requestBlocks();
    updateCatchingUp();
  }

  /** The fetched block of the current height, once the core can take it. */
  private ConsensusEvent nextSyncedBlock() {
    synced.headMap(core.height()).clear();
    if (core.step() == ConsensusEvent.Step.COMMIT) {
      return null;
    }
    DecidedBlock d = synced.remove(core.height());
    return d == null ? null : new ConsensusEvent.DecidedReceived(d.getBlock(), d.getCommit());
  }

  private void updateCatchingUp() {
    long best = 0;
    for (PeerState p : peers.values()) {
      best = Math.max(best, p.height);
    }
    // One height behind is the normal lag of a round; two or more means fetching blocks.
    catchingUp = best > core.height() + 1;
  }

  /**
   * Txs from peers are checked off the consensus thread: queued in arrival order (bounded; gossip
   * is lossy and blocks carry what a mempool missed), verified in batches on all cores, then added
   * to the mempool in order, so one account's consecutive nonces still enter in sequence.
   */
  private void peerTxsReceived(String peer, byte[] message) {
    ReactorMessage m = decodePeerMessage(peer, P2pChannels.MEMPOOL, message);
    if (m == null) {
      return;
    }
    int dropped = 0;
    for (ByteString tx : m.getTxs().getTxsList()) {
      txsFromPeers.incrementAndGet();
      if (!peerTxQueue.offer(new GossipTx(tx.toByteArray(), peer))) {
        dropped++;
      }
    }
    if (dropped > 0 && intakeFull.compareAndSet(false, true)) {
      // One line each time the queue fills up, not one per message.
      log.warn(
          "peer txs dropped peer={} count={} reason=intake_full capacity={}",
          peer,
          dropped,
          PEER_TX_QUEUE);
    }
    if (intakeScheduled.compareAndSet(false, true)) {
      try {
        intake.execute(this::drainPeerTxs);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  private void drainPeerTxs() {
    intakeScheduled.set(false); // set before draining: txs arriving from now on schedule a run
    List<GossipTx> batch = new ArrayList<>();
    peerTxQueue.drainTo(batch, PEER_TX_BATCH);
    if (peerTxQueue.isEmpty()) {
      intakeFull.set(false);
    }
    while (!batch.isEmpty() && !closing) {
      TxSignatures.preverifyAll(batch.stream().map(GossipTx::tx).toList());
      for (GossipTx g : batch) {
        if (closing) {
          return;
        }
        if (mempool.add(g.tx()).getCode() == 0) {
          gossipTx(g.tx(), g.from());
        }
      }
      batch.clear();
      peerTxQueue.drainTo(batch, PEER_TX_BATCH);
    }
  }

  /**
   * Accepted txs go to peers in batches (one Txs message per flush, every {@link
   * #TX_GOSSIP_INTERVAL} or at {@link #TX_GOSSIP_BATCH} txs): a message per tx costs each hop a
   * frame, an AEAD seal and a queue slot, which under load fills the peers' queues.
   */
  private void gossipTx(byte[] tx, String from) {
    if (p2p == null) {
      return; // alone: no peers to tell
    }
    boolean full;
    synchronized (gossipBuffer) {
      gossipBuffer.add(new GossipTx(tx, from));
      gossipBytes += tx.length;
      full = gossipBuffer.size() >= TX_GOSSIP_BATCH || gossipBytes >= TX_GOSSIP_BYTES;
    }
    if (full) {
      flushTxGossip();
    }
  }

  private void flushTxGossip() {
    List<GossipTx> batch;
    synchronized (gossipBuffer) {
      if (gossipBuffer.isEmpty()) {
        return;
      }
      batch = new ArrayList<>(gossipBuffer);
      gossipBuffer.clear();
      gossipBytes = 0;
    }
    P2pNode p = p2p;
    if (p == null) {
      return;
    }
    if (batch.stream().allMatch(g -> g.from() == null)) {
      broadcast(P2pChannels.MEMPOOL, txsMessage(batch)); // this node's own: every peer gets them
      return;
    }
    for (String peer : p.connectedPeers()) {
      List<GossipTx> relay = new ArrayList<>();
      for (GossipTx g : batch) {
        if (relays(g.from(), peer, peersOfPeers)) {
          relay.add(g);
        }
      }
      if (!relay.isEmpty()) {
        send(peer, P2pChannels.MEMPOOL, txsMessage(relay));
      }
    }
  }

  /**
   * Whether a tx that came from {@code from} (null: from this node) goes on to {@code to}: not back
   * to its sender, and not to a peer connected to the sender, as either of them last said, since
   * the sender gave it to its peers itself. In a full mesh each tx crosses each link once; in any
   * other topology it still reaches every node. Stale peer lists may miss a relay, which gossip
   * tolerates: the txs still reach blocks from the mempools that have them. A peer that lies about
   * its peers only keeps relays from itself (its own txs) or to itself.
   */
  static boolean relays(String from, String to, Map<String, Set<String>> peersOfPeers) {
    if (from == null) {
      return true;
    }
    return !from.equals(to)
        && !peersOfPeers.getOrDefault(from, Set.of()).contains(to)
        && !peersOfPeers.getOrDefault(to, Set.of()).contains(from);
  }

  private static ReactorMessage txsMessage(List<GossipTx> txs) {
    Txs.Builder b = Txs.newBuilder();
    for (GossipTx g : txs) {
      b.addTxs(ByteString.copyFrom(g.tx()));
    }
    return ReactorMessage.newBuilder().setTxs(b).build();
  }

  /** Each peer's peers as this node last heard them (for tests). */
  Map<String, Set<String>> peersOfPeers() {
    return Map.copyOf(peersOfPeers);
  }

  /** Txs received from peers so far, copies included (each link's share of tx gossip). */
  public long txsFromPeers() {
    return txsFromPeers.get();
  }

  /**
   * Loss tolerance: every interval each peer gets what it may have missed: my round state, and the
   * proposals and votes of my height when it works on the same height, or the decided block of its
   * height when it is behind; peers ahead are asked for blocks.
   */
  private void gossipTick() {
    if (core == null) {
      return; // state syncing
    }
    RoundState rs = roundState();
    announced = rs;
    broadcast(P2pChannels.CONSENSUS_STATE, ReactorMessage.newBuilder().setRoundState(rs).build());
    List<ConsensusEvent> mine = null;
    for (Map.Entry<String, PeerState> e : peers.entrySet()) {
      PeerState p = e.getValue();
      if (p.height == core.height()) {
        if (mine == null) {
          mine = core.gossip();
        }
        for (ConsensusEvent m : mine) {
          if (m instanceof ConsensusEvent.ProposalReceived pr) {
            Proposal proposal = pr.message().getProposal();
            if ((!p.hasProposal || p.round != proposal.getRound())
                && p.sendProposal(proposal.getHeight(), proposal.getRound(), System.nanoTime())) {
              send(
                  e.getKey(),
                  P2pChannels.CONSENSUS_DATA,
                  ReactorMessage.newBuilder().setProposal(pr.message()).build());
            }
          } else if (m instanceof ConsensusEvent.VoteReceived v) {
            send(
                e.getKey(),
                P2pChannels.CONSENSUS_VOTE,
                ReactorMessage.newBuilder().setVote(v.vote()).build());
          }
        }
      } else if (p.height > 0 && p.height < core.height()) {
        catchUp(e.getKey(), p);
      }
    }
    requestBlocks();
    updateCatchingUp();
  }

  /** PrepareProposal over the mempool's txs; ProcessProposal for received blocks. */
  private final class MempoolBlocks implements ConsensusCore.BlockSource {
    @Override
    public List<byte[]> proposalTxs(
        long height, long timeMillis, byte[] proposer, long maxTxBytes) {
      long limit =
          core.chainState().validators().size() > 1
              ? Math.min(maxTxBytes, PROPOSAL_TX_BYTES)
              : maxTxBytes;
      return app.prepareProposal(
          new Application.PrepareProposalRequest(
              limit, mempool.reap(limit), height, timeMillis, proposer));
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
    P2pNode p = p2p;
    if (p != null) {
      try {
        p.close();
      } catch (RuntimeException e) {
        log.warn("p2p close failed error={}", e.toString());
      }
    }
    loop.shutdownNow();
    intake.shutdownNow();
    txGossip.shutdownNow();
    try {
      if (!loop.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("consensus thread did not stop within 30s");
      }
      if (!intake.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("mempool intake thread did not stop within 30s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (wal != null) {
      wal.close();
    }
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
        catchingUp,
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
  public void prepareTxs(List<byte[]> txs) {
    if (mempool.hasRoom()) {
      TxSignatures.preverifyAll(txs); // verified together; a full mempool refuses them unchecked
    }
  }

  @Override
  public TxResult broadcastTx(byte[] tx) {
    TxResult r = mempool.add(tx);
    if (r.getCode() == 0) {
      gossipTx(tx, null);
    }
    return r;
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

  /** Whether peers report heights this node is still fetching blocks for. */
  boolean catchingUp() {
    return catchingUp;
  }

  /** The height consensus works on (tests). */
  long consensusHeight() {
    return db.blocks().lastHeight() + 1;
  }
}
