package io.peerz.node;

import io.peerz.consensus.EventLoop;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's event loop: one daemon thread named {@code consensus}, the system clocks. A task that
 * throws halts the loop (a node that cannot append or execute a decided block must not go on
 * signing): later tasks are dropped and {@code onHalt} hears why.
 */
final class ExecutorLoop implements EventLoop, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExecutorLoop.class);

  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "consensus");
            t.setDaemon(true);
            return t;
          });
  private final Consumer<RuntimeException> onHalt;
  private volatile boolean halted;

  ExecutorLoop(Consumer<RuntimeException> onHalt) {
    this.onHalt = onHalt;
  }

  @Override
  public void execute(Runnable task) {
    if (halted) {
      return;
    }
    try {
      executor.execute(() -> guarded(task));
    } catch (RejectedExecutionException ignored) {
      // Shutting down.
    }
  }

  @Override
  public void schedule(Duration delay, Runnable task) {
    if (halted) {
      return;
    }
    try {
      executor.schedule(() -> guarded(task), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException ignored) {
      // Shutting down.
    }
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long currentTimeMillis() {
    return System.currentTimeMillis();
  }

  private void guarded(Runnable task) {
    if (halted) {
      return;
    }
    try {
      task.run();
    } catch (RuntimeException e) {
      halted = true;
      onHalt.accept(e);
    }
  }

  /** Stops taking tasks; what runs is interrupted, and waited for up to 30 s. */
  @Override
  public void close() {
    halted = true;
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("consensus thread did not stop within 30s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
