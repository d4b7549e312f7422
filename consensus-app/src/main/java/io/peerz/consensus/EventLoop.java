package io.peerz.consensus;

import java.time.Duration;

/**
 * The one thread consensus and its reactors run on, with its timers and clocks: a scheduled
 * executor in the node, virtual time in the simulation. Tasks run one at a time, in the order they
 * were queued (a scheduled one when its delay is over).
 */
public interface EventLoop {

  /** Runs {@code task} on the loop after the tasks queued before it; any thread may call. */
  void execute(Runnable task);

  /** Runs {@code task} on the loop once {@code delay} has passed. */
  void schedule(Duration delay, Runnable task);

  /** A monotonic clock in nanoseconds (resend intervals). */
  long nanoTime();

  /** The wall clock in milliseconds (the time a proposer puts in its block). */
  long currentTimeMillis();
}
