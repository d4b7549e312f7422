package io.peerz.p2p;

/** Channel ids, the same numbers CometBFT's reactors use. */
public final class P2pChannels {
  private P2pChannels() {}

  /** Consensus round state (new round step, has vote, ...). */
  public static final int CONSENSUS_STATE = 0x20;

  /** Proposals and block parts. */
  public static final int CONSENSUS_DATA = 0x21;

  /** Prevotes and precommits. */
  public static final int CONSENSUS_VOTE = 0x22;

  /** Mempool transactions. */
  public static final int MEMPOOL = 0x30;

  /** Evidence of misbehaviour. */
  public static final int EVIDENCE = 0x38;

  /** Block sync requests and blocks. */
  public static final int BLOCK_SYNC = 0x40;

  /** State sync: snapshot lists and the light blocks that verify a snapshot's app hash. */
  public static final int STATE_SYNC_SNAPSHOT = 0x60;

  /** State sync: snapshot chunks. */
  public static final int STATE_SYNC_CHUNK = 0x61;
}
