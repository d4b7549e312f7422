package io.peerz.consensus;

import io.peerz.consensus.proto.ReactorMessage;
import io.peerz.p2p.P2pChannels;
import io.peerz.p2p.P2pNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each peer message to the reactor of its kind (CometBFT's Switch): txs go to the mempool
 * reactor on the p2p thread, so that their checks stay off the consensus thread; everything else is
 * decoded and handled on the event loop, one at a time. Bytes that do not decode are reported
 * against the peer that sent them.
 */
public final class PeerRouter implements P2pNode.Listener {
  private static final Logger log = LoggerFactory.getLogger(PeerRouter.class);

  private final EventLoop loop;
  private final PeerTransport transport;
  private final MempoolReactor mempool;
  private final List<Reactor> reactors = new ArrayList<>();
  private final Map<ReactorMessage.MsgCase, Reactor> byCase =
      new EnumMap<>(ReactorMessage.MsgCase.class);

  /**
   * Routes onto {@code loop}; {@code mempool} takes txs (null: txs are not taken, as in the
   * simulation); {@code transport} hears of peers that misbehave.
   */
  public PeerRouter(EventLoop loop, PeerTransport transport, MempoolReactor mempool) {
    this.loop = loop;
    this.transport = transport;
    this.mempool = mempool;
  }

  /** Adds a reactor for the message kinds it handles; before p2p starts. */
  public PeerRouter add(Reactor reactor) {
    reactors.add(reactor);
    for (ReactorMessage.MsgCase c : reactor.cases()) {
      if (byCase.putIfAbsent(c, reactor) != null) {
        throw new IllegalArgumentException("two reactors for " + c);
      }
    }
    return this;
  }

  @Override
  public void onPeerConnected(String peer) {
    loop.execute(() -> reactors.forEach(r -> r.peerConnected(peer)));
  }

  @Override
  public void onPeerDisconnected(String peer) {
    if (mempool != null) {
      mempool.peerDisconnected(peer);
    }
    loop.execute(() -> reactors.forEach(r -> r.peerDisconnected(peer)));
  }

  @Override
  public void onMessage(String peer, int channel, byte[] bytes) {
    if (channel == P2pChannels.MEMPOOL && mempool != null) {
      ReactorMessage m = decode(peer, channel, bytes);
      if (m == null) {
        return;
      }
      if (m.getMsgCase() == ReactorMessage.MsgCase.TXS) {
        mempool.receive(peer, m.getTxs());
      } else {
        loop.execute(() -> route(peer, m));
      }
      return;
    }
    loop.execute(
        () -> {
          ReactorMessage m = decode(peer, channel, bytes);
          if (m != null) {
            route(peer, m);
          }
        });
  }

  /**
   * The message, or null after reporting {@code peer} for bytes that do not decode, carry no kind
   * this node knows, or a kind {@code channel} does not carry: no honest node sends those.
   */
  private ReactorMessage decode(String peer, int channel, byte[] bytes) {
    ReactorMessage m = ReactorChannels.decode(channel, bytes);
    if (m == null) {
      transport.misbehaved(peer, ReactorChannels.problem(channel, bytes));
    }
    return m;
  }

  private void route(String peer, ReactorMessage m) {
    Reactor r = byCase.get(m.getMsgCase());
    if (r != null) {
      r.receive(peer, m);
    } else {
      log.debug("peer message unexpected peer={} case={}", peer, m.getMsgCase());
    }
  }
}
