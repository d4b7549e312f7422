package io.peerz.consensus;

import io.peerz.consensus.proto.ReactorMessage;
import java.util.Collection;

/**
 * How the reactors reach peers: p2p in the node, the simulated network in the simulation. Sending
 * never blocks and may drop (gossip re-sends what matters).
 */
public interface PeerTransport {

  /** Sends {@code m} to one connected peer on {@code channel}. */
  void send(String peer, int channel, ReactorMessage m);

  /** Sends {@code m} to every connected peer on {@code channel}. */
  void broadcast(int channel, ReactorMessage m);

  /** The peers connected now. */
  Collection<String> peers();

  /**
   * {@code peer} sent something no correct node sends (bytes that do not decode, a message on a
   * channel it does not belong to): logged, and where the transport scores peers the peer is
   * dropped and refused for a while.
   */
  void misbehaved(String peer, String reason);

  /**
   * {@code peer} sent a well-formed answer nobody asked for (a state-sync response while not
   * syncing, a no_block for a height never requested): an occasional one is a race, many are an
   * attack, so where the transport scores peers each adds a little to the peer's score.
   */
  void unsolicited(String peer, String what);
}
