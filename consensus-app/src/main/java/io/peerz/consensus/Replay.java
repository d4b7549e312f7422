package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.Hex;
import io.peerz.ledger.LedgerDb;
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
 * difference.
 */
public final class Replay {

  private Replay() {}

  /** Progress callback: called after each height with (height, lastHeight). */
  public interface Progress {
    void advanced(long height, long lastHeight);
  }

  /** The outcome: heights replayed and, on a mismatch, where and what. */
  public record Report(
      long heightsReplayed, long mismatchHeight, String expectedAppHash, String actualAppHash) {
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
      return replay(source.blocks(), target, genesis, progress, apps.apply(target));
    } finally {
      deleteRecursively(scratch);
    }
  }

  private static Report replay(
      BlockStore log, LedgerDb target, GenesisDoc genesis, Progress progress, Application app) {
    long initialHeight = Math.max(1, genesis.initialHeight());
    if (log.baseHeight() > initialHeight) {
      throw new IllegalStateException(
          "the block log starts at height "
              + log.baseHeight()
              + " (this node was restored by state sync to height "
              + (log.baseHeight() - 1)
              + "): replay from genesis needs every block from "
              + initialHeight
              + "; replay on a node that has them");
    }
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
    long last = log.lastHeight();
    long replayed = 0;
    for (long h = Math.max(initialHeight, log.baseHeight()); h <= last; h++) {
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
        return new Report(replayed, h, Hex.encodeUpper(expected), Hex.encodeUpper(r.appHash()));
      }
      app.commit();
      replayed++;
      progress.advanced(h, last);
    }
    return new Report(replayed, 0, "", "");
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
