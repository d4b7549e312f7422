package io.peerz.node;

import io.peerz.consensus.PeerTransport;
import io.peerz.consensus.proto.ReactorMessage;
import io.peerz.p2p.Misbehavior;
import io.peerz.p2p.P2pNode;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The reactors' transport over the node's p2p server; sends nothing while p2p is not up. */
final class P2pTransport implements PeerTransport {
  private static final Logger log = LoggerFactory.getLogger(P2pTransport.class);

  private volatile P2pNode p2p;

  /** Sends over {@code node} from now on. */
  void connect(P2pNode node) {
    this.p2p = node;
  }

  /** The p2p server, or null before it starts. */
  P2pNode p2p() {
    return p2p;
  }

  @Override
  public void send(String peer, int channel, ReactorMessage m) {
    P2pNode p = p2p;
    if (p == null) {
      return;
    }
    try {
      p.send(peer, channel, m.toByteArray());
    } catch (IllegalArgumentException e) {
      notSent(channel, e);
    }
  }

  @Override
  public void broadcast(int channel, ReactorMessage m) {
    P2pNode p = p2p;
    if (p == null) {
      return;
    }
    try {
      p.broadcast(channel, m.toByteArray());
    } catch (IllegalArgumentException e) {
      notSent(channel, e);
    }
  }

  @Override
  public Collection<String> peers() {
    P2pNode p = p2p;
    return p == null ? List.of() : p.connectedPeers();
  }

  @Override
  public void misbehaved(String peer, String reason) {
    report(peer, Misbehavior.UNDECODABLE, reason);
  }

  @Override
  public void unsolicited(String peer, String what) {
    report(peer, Misbehavior.UNSOLICITED, what);
  }

  /** P2p scores the peer, drops and bans it (and logs it once) at its limit. */
  private void report(String peer, Misbehavior kind, String detail) {
    P2pNode p = p2p;
    if (p == null) {
      log.warn("peer misbehaved peer={} kind={} detail=\"{}\"", peer, kind, detail);
      return;
    }
    p.reportMisbehavior(peer, kind, detail);
  }

  private static void notSent(int channel, IllegalArgumentException e) {
    log.warn(
        "p2p message not sent channel=0x{} error={}", Integer.toHexString(channel), e.getMessage());
  }
}
