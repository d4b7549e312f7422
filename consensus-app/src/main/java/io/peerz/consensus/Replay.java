package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.Hex;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.SnapshotStore;
import io.peerz.ledger.StateSnapshot;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.state.StateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Rebuilds state from genesis by re-executing the event log of {@code home} into a scratch
 * database, comparing the app hash at every height with the one recorded; stops at the first
 * difference. When the blocks below some height are gone (pruned, or never there on a node restored
 * by state sync) it starts instead from a state-sync snapshot of {@code home}'s the stored blocks
 * continue from: the oldest such, so that the most blocks are re-executed.
 */
public final class Replay {

  private Replay() {}

  /** Progress callback: called after each height with (height, lastHeight). */
  public interface Progress {
    void advanced(long height, long lastHeight);
  }

  /**
   * The outcome: heights replayed and, on a mismatch, where and what; {@code snapshotHeight} is the
   * height of the snapshot replay started from (0: genesis).
   */
  public record Report(
      long heightsReplayed,
      long mismatchHeight,
      String expectedAppHash,
      String actualAppHash,
      long snapshotHeight) {
    public boolean ok() {
      return mismatchHeight == 0;
    }
  }

  /** Replays {@code home}'s event log through a fresh peerz application. */
  public static Report run(Path home, GenesisDoc genesis, Progress progress) {
    return run(
        home,
        genesis,
        progress,
        db -> new PeerzApplication(db, new StateMachine(), genesis.chainId()));
  }

  /** Replays {@code home}'s event log through the applications {@code apps} opens. */
  public static Report run(
      Path home, GenesisDoc genesis, Progress progress, Function<LedgerDb, Application> apps) {
    Path data = home.resolve("data");
    Path scratch;
    try {
      scratch = Files.createTempDirectory(data, "replay-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a scratch directory in " + data, e);
    }
    try (LedgerDb source = LedgerDb.open(data.resolve("ledger.db"));
        LedgerDb target = LedgerDb.open(scratch.resolve("ledger.db"))) {
      return replay(
          source.blocks(),
          new SnapshotStore(data.resolve("snapshots")),
          genesis,
          progress,
          apps.apply(target));
    } finally {
      deleteRecursively(scratch);
    }
  }

  private static Report replay(
      BlockStore log,
      SnapshotStore snapshots,
      GenesisDoc genesis,
      Progress progress,
      Application app) {
    long initialHeight = Math.max(1, genesis.initialHeight());
    long snapshotHeight = 0;
    if (log.baseHeight() > initialHeight) {
      snapshotHeight = restoreSnapshot(log, snapshots, app, initialHeight);
    } else {
      initChain(genesis, initialHeight, app);
    }
    long last = log.lastHeight();
    long replayed = 0;
    long first =
        snapshotHeight > 0 ? snapshotHeight + 1 : Math.max(initialHeight, log.baseHeight());
    for (long h = first; h <= last; h++) {
      BlockResults recorded = log.results(h).orElse(null);
      if (recorded == null) {
        // Appended but never executed (a crash between append and commit): nothing to compare.
        break;
      }
      Block block = log.block(h).orElseThrow();
      List<byte[]> txs = new ArrayList<>();
      for (ByteString tx : block.getTxsList()) {
        txs.add(tx.toByteArray());
      }
      Application.FinalizeBlockResponse r =
          app.finalizeBlock(
              new Application.FinalizeBlockRequest(
                  txs,
                  ChainState.blockId(block).getHash().toByteArray(),
                  h,
                  Blocks.millis(block.getHeader().getTime()),
                  block.getHeader().getProposerAddress().toByteArray(),
                  Evidence.misbehavior(block)));
      byte[] expected = recorded.getAppHash().toByteArray();
      if (!Arrays.equals(expected, r.appHash())) {
        return new Report(
            replayed, h, Hex.encodeUpper(expected), Hex.encodeUpper(r.appHash()), snapshotHeight);
      }
      app.commit();
      replayed++;
      progress.advanced(h, last);
    }
    return new Report(replayed, 0, "", "", snapshotHeight);
  }

  private static void initChain(GenesisDoc genesis, long initialHeight, Application app) {
    List<ValidatorUpdate> validators = new ArrayList<>();
    for (GenesisDoc.Validator v : genesis.validators()) {
      validators.add(
          ValidatorUpdate.newBuilder()
              .setPubKey(ByteString.copyFrom(v.pubKey()))
              .setPower(v.power())
              .build());
    }
    app.initChain(
        new Application.InitChainRequest(
            genesis.genesisTimeMillis(),
            genesis.chainId(),
            validators,
            genesis.appStateJson(),
            initialHeight));
  }

  /**
   * Restores {@code app} from the oldest local snapshot whose next block is stored, checked against
   * that block's app hash; returns its height. Throws IllegalStateException when there is none.
   */
  private static long restoreSnapshot(
      BlockStore log, SnapshotStore snapshots, Application app, long initialHeight) {
    long base = log.baseHeight();
    List<StateSnapshot> usable = new ArrayList<>();
    for (StateSnapshot s : snapshots.list()) {
      if (s.height() >= base - 1 && s.height() < log.lastHeight()) {
        usable.add(s);
      }
    }
    if (usable.isEmpty()) {
      throw new IllegalStateException(
          "the block log starts at height "
              + base
              + " (the blocks below it were pruned, or this node was restored by state sync),"
              + " and no state-sync snapshot of this node is at a height from "
              + (base - 1)
              + " on to start from: replay from genesis needs every block from "
              + initialHeight
              + "; replay on a node that has them, or one with snapshots"
              + " ([statesync] snapshot_interval)");
    }
    StateSnapshot s = usable.get(usable.size() - 1);
    // Block S+1's header commits to the state after S: the chain's word for the snapshot.
    byte[] appHash = log.block(s.height() + 1).orElseThrow().getHeader().getAppHash().toByteArray();
    if (app.offerSnapshot(s, appHash) != Application.OfferResult.ACCEPT) {
      throw new IllegalStateException(
          "the snapshot at height "
              + s.height()
              + " is not the chain's state at that height (block "
              + (s.height() + 1)
              + " commits to app hash "
              + Hex.encodeUpper(appHash)
              + ")");
    }
    for (int i = 0; i < s.chunks(); i++) {
      byte[] chunk = snapshots.chunk(s.height(), s.format(), i).orElse(new byte[0]);
      Application.ApplyChunkResponse r = app.applySnapshotChunk(i, chunk, "local");
      if (r.result() != Application.ApplyChunkResult.ACCEPT) {
        throw new IllegalStateException(
            "the snapshot at height " + s.height() + " does not restore: chunk " + i + " failed");
      }
    }
    return s.height();
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete scratch directory " + dir, e);
    }
  }
}
