package io.peerz.consensus;

import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.Commit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What the node tells whoever listens (CometBFT's types/event_bus.go): consensus publishes, the RPC
 * server subscribes, and consensus never knows the RPC exists. Subscribers run on the publishing
 * thread (the consensus loop), so they only hand the event over to a thread of their own.
 */
public final class EventBus {

  /**
   * A decided block is stored, executed and committed, and its results are stored: the block, the
   * commit that decided it, what the application answered, the misbehavior it was told of, and how
   * long FinalizeBlock took (CometBFT's state/execution.go measures the same for its metrics).
   */
  public record BlockCommitted(
      Block block,
      Commit commit,
      Application.FinalizeBlockResponse result,
      List<Application.Misbehavior> misbehavior,
      Duration finalizeTime) {

    public BlockCommitted {
      misbehavior = List.copyOf(misbehavior);
    }

    /** The block's height. */
    public long height() {
      return block.getHeader().getHeight();
    }
  }

  private final List<Consumer<BlockCommitted>> subscribers = new CopyOnWriteArrayList<>();

  /** Calls {@code subscriber} with every block committed from now on; close to stop. */
  public AutoCloseable subscribe(Consumer<BlockCommitted> subscriber) {
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }

  /** Tells every subscriber, in the order they subscribed. */
  public void publish(BlockCommitted event) {
    for (Consumer<BlockCommitted> s : subscribers) {
      s.accept(event);
    }
  }
}
