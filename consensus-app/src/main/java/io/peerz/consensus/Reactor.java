package io.peerz.consensus;

import io.peerz.consensus.proto.ReactorMessage;
import java.util.Set;

/**
 * One concern's share of the peer messages (CometBFT's Reactor): the message kinds it handles, and
 * peers coming and going. The {@link PeerRouter} calls these on the event loop.
 */
public interface Reactor {

  /** The message kinds this reactor handles. */
  Set<ReactorMessage.MsgCase> cases();

  /** A message of one of {@link #cases()} from {@code peer}. */
  void receive(String peer, ReactorMessage message);

  /** A peer connected. */
  default void peerConnected(String peer) {}

  /** A peer disconnected. */
  default void peerDisconnected(String peer) {}
}
