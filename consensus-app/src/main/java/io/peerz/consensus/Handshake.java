package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.consensus.proto.StateSyncAnchor;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the application and consensus to the same height at start (CometBFT's Handshaker): commits
 * genesis (InitChain) on a fresh node, executes the blocks the log holds and the application has
 * not committed (blocks are appended before they execute, so after a crash the log may be ahead),
 * and rebuilds what consensus knows from the stored blocks, or from the state-sync anchor on a node
 * restored from a snapshot.
 */
public final class Handshake {
  private static final Logger log = LoggerFactory.getLogger(Handshake.class);

  private final GenesisDoc genesis;
  private final long initialHeight;
  private final Application app;
  private final BlockStore blocks;
  private final BlockExecution execution;
  private final ValidatorHistory history;
  private final StateSyncReactor stateSync;
  private final Path dataDir;

  /** The handshake of {@code app} with the log in {@code blocks} under {@code genesis}. */
  public Handshake(
      GenesisDoc genesis,
      Application app,
      BlockStore blocks,
      BlockExecution execution,
      ValidatorHistory history,
      StateSyncReactor stateSync,
      Path dataDir) {
    this.genesis = genesis;
    this.initialHeight = Math.max(1, genesis.initialHeight());
    this.app = app;
    this.blocks = blocks;
    this.execution = execution;
    this.history = history;
    this.stateSync = stateSync;
    this.dataDir = dataDir;
  }

  /** Recovers and returns the state consensus continues from; validator sets are recorded. */
  public ChainState run() {
    StateSyncAnchor anchor = stateSync.anchor();
    ChainState state = anchor != null ? anchoredState(anchor) : genesisState();

    // Crash recovery: blocks are appended before they execute, so the log may be ahead.
    long appHeight = app.info().lastBlockHeight();
    for (long h = Math.max(appHeight + 1, initialHeight); h <= blocks.lastHeight(); h++) {
      Block block = blocks.block(h).orElseThrow();
      Application.FinalizeBlockResponse r = execution.execute(block).response();
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

  /** The genesis validators as the application settles them (InitChain without writing). */
  public List<ValidatorUpdate> genesisValidators() {
    List<ValidatorUpdate> docValidators = docValidators();
    if (app instanceof PeerzApplication pa) {
      List<ValidatorUpdate> v = pa.genesisValidators(initChainRequest(docValidators));
      return v.isEmpty() ? docValidators : v;
    }
    return docValidators;
  }

  private Application.InitChainRequest initChainRequest(List<ValidatorUpdate> docValidators) {
    return new Application.InitChainRequest(
        genesis.genesisTimeMillis(),
        genesis.chainId(),
        docValidators,
        genesis.appStateJson(),
        initialHeight);
  }

  private List<ValidatorUpdate> docValidators() {
    List<ValidatorUpdate> out = new ArrayList<>();
    for (GenesisDoc.Validator v : genesis.validators()) {
      out.add(
          ValidatorUpdate.newBuilder()
              .setPubKey(ByteString.copyFrom(v.pubKey()))
              .setPower(v.power())
              .build());
    }
    return out;
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
              + dataDir
              + " and start again with state sync enabled");
    }
    ChainState state =
        StateSyncer.chainState(genesis.chainId(), initialHeight, app.info().appVersion(), anchor);
    history.record(anchor.getHeight(), state.lastValidators());
    log.info(
        "resuming from state sync snapshot height={} app_hash={} block_base={}",
        anchor.getHeight(),
        Hex.encodeUpper(state.appHash()),
        blocks.baseHeight());
    return state;
  }

  /** The state before the first block, committing genesis (InitChain) when it is not yet. */
  private ChainState genesisState() {
    long genesisHeight = initialHeight - 1;
    List<ValidatorUpdate> docValidators = docValidators();
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
      Application.InitChainResponse r = app.initChain(initChainRequest(docValidators));
      genesisValidators = r.validators().isEmpty() ? docValidators : r.validators();
      genesisAppHash = r.appHash();
      log.info(
          "genesis committed chain_id={} app_hash={}",
          genesis.chainId(),
          Hex.encodeUpper(r.appHash()));
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
        genesis.chainId(),
        initialHeight,
        genesis.genesisTimeMillis(),
        genesisValidators,
        genesisAppHash,
        app.info().appVersion());
  }
}
