package io.peerz.p2p;

/**
 * What a peer did wrong, as the layer above judges a message (see {@link
 * P2pNode#reportMisbehavior}). Each kind adds its points to the peer's score, which falls by one
 * point a second; at {@link #DROP_SCORE} the peer is dropped and, unless it is a persistent or
 * unconditional peer, refused for the ban duration.
 */
public enum Misbehavior {
  /**
   * Bytes no honest peer sends: a message that does not decode, carries nothing this node knows, or
   * came on a channel that does not carry its kind. Drops the peer at once.
   */
  UNDECODABLE(100),
  /**
   * A well-formed message this node did not ask for and does not take now (a state-sync response
   * while not syncing, a reply to a request never made). Races make an occasional one normal, so
   * ten within a few seconds drop the peer.
   */
  UNSOLICITED(10);

  /** The score at which a peer is dropped. */
  public static final int DROP_SCORE = 100;

  final int points;

  Misbehavior(int points) {
    this.points = points;
  }
}
