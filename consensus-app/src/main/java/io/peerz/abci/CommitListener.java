package io.peerz.abci;

/**
 * Hears of each Commit the server answered CometBFT: the committed height, its block time and the
 * retain height returned (0: every block kept). Called under the application's lock, before the
 * response is written.
 */
@FunctionalInterface
public interface CommitListener {
  /** Hears nothing. */
  CommitListener NONE = (height, blockTimeMillis, retainHeight) -> {};

  void committed(long height, long blockTimeMillis, long retainHeight);
}
