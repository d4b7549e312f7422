package io.peerz.node;

import io.peerz.abci.AbciServer;
import io.peerz.consensus.AppOptions;
import io.peerz.consensus.HaltPoint;
import io.peerz.consensus.PeerzApplication;
import io.peerz.consensus.SnapshotConfig;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.LedgerDb;
import io.peerz.state.StateMachine;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application served alone over ABCI for CometBFT v0.38 to drive ({@code peerz start --abci}):
 * the ledger, the application with its snapshots and app.toml settings, and the socket server. It
 * deletes the results and tx index the ledger holds below the retain height each Commit returns
 * (CometBFT prunes its own blocks) and stops after the Commit of the halt point.
 */
public final class AbciNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AbciNode.class);

  private final LedgerDb db;
  private final PeerzApplication app;
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile AbciServer server;
  private boolean stopped;
  private boolean haltedAtStart;

  private AbciNode(LedgerDb db, PeerzApplication app) {
    this.db = db;
    this.app = app;
  }

  /**
   * Opens {@code home}'s data directory and serves the application on {@code listen}
   * (tcp://host:port). A node whose last commit is its halt point serves nothing and is returned
   * closed ({@link #haltedAtStart()}); a halt height below the last commit is refused
   * (IllegalArgumentException).
   */
  public static AbciNode start(
      Path home, GenesisDoc genesis, String listen, SnapshotConfig snapshots, AppOptions options) {
    LedgerDb db = LedgerDb.open(PeerzNode.dataDir(home).resolve("ledger.db"));
    AbciNode node = null;
    try {
      // CometBFT drives state sync itself ([statesync] in its config.toml); the application
      // takes and serves the snapshots and restores from them.
      PeerzApplication app =
          new PeerzApplication(
              db,
              new StateMachine(),
              genesis.chainId(),
              PeerzNode.dataDir(home).resolve("snapshots"),
              snapshots,
              options);
      node = new AbciNode(db, app);
      AbciNode n = node;
      HaltPoint halt = new HaltPoint(options, h -> new Thread(n::close, "peerz-halt").start());
      // No block is stored here, so halt-time is checked from the next block on.
      if (halt.reachedAtStart(db.state().height(), 0)) {
        log.info(
            "halt_reached height={} {} action=not serving, exit code 0: the application stands"
                + " at its halt point; set a later halt-height, or 0, to go on",
            db.state().height(),
            options.haltSettings());
        node.haltedAtStart = true;
        node.close();
        return node;
      }
      node.server =
          AbciServer.start(
              app,
              listen,
              (height, time, retain) -> {
                if (retain > 0) {
                  db.pruneBlocks(retain);
                }
                halt.committed(height, time);
              });
      log.info(
          "abci server started addr={} chain_id={} last_height={}",
          node.server.address(),
          genesis.chainId(),
          app.info().lastBlockHeight());
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

  /** The address the server listens on, {@code tcp://host:port}; empty when it does not. */
  public String address() {
    AbciServer s = server;
    return s == null ? "" : s.address();
  }

  /** Whether the last commit was the halt point at start, so that nothing was served. */
  public boolean haltedAtStart() {
    return haltedAtStart;
  }

  /** Blocks until the node is closed (Ctrl-C, or the halt point). */
  public void awaitTermination() throws InterruptedException {
    closed.await();
  }

  /** Stops the server, then the application and the ledger. */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    AbciServer s = server;
    if (s != null) {
      s.close();
    }
    app.close();
    db.close();
    closed.countDown();
    log.info("abci node stopped");
  }
}
