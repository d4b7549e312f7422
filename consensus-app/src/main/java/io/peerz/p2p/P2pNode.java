package io.peerz.p2p;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer-to-peer node: authenticated, encrypted TCP connections to other validators, carrying
 * opaque messages on numbered channels ({@link P2pChannels}). It knows nothing of consensus.
 *
 * <p>Every connection runs on one of two Netty event-loop threads, whatever the number of peers.
 * Messages on one channel to one peer arrive in the order they were sent; messages may be lost when
 * a connection drops or a queue is full, so the layer above must tolerate loss (Tendermint gossip
 * re-sends what a peer is missing).
 *
 * <p>What a peer can cost the node is bounded ({@link PeerLimits}): at most {@code
 * max_num_inbound_peers} inbound and {@code max_num_outbound_peers} outbound peers besides the
 * persistent and unconditional ones, which always keep their place; frames of one packet; each
 * channel's messages capped at their size, checked as each packet arrives; the partial messages of
 * all other peers together under {@link PeerLimits#sharedAssemblyBytes}; {@code send_rate} and
 * {@code recv_rate} bytes per second per peer. A peer that breaks the protocol, or that the layer
 * above reports ({@link #reportMisbehavior}) often enough, is dropped and refused for the ban
 * duration.
 */
public final class P2pNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(P2pNode.class);
  private static final int EVENT_LOOP_THREADS = 2;

  /** Why a connection is not kept: a reason for the log, and what it means. */
  record Refusal(String reason, String detail) {}

  /** The lower-id peer keeps an older connection dialed the other way. */
  static final Refusal DUPLICATE = new Refusal("duplicate", "a connection dialed the other way");

  private static final Refusal CLOSED = new Refusal("closing", "the node is closing");

  /**
   * What a node reports to the layer above. All methods are called on Netty event-loop threads
   * (several, concurrently for different peers): they must return quickly and never block, hand
   * heavy work to their own thread (the consensus loop's queue). onPeerConnected and
   * onPeerDisconnected for all peers are called one at a time, in the order the connections
   * changed; onMessage for one peer comes from one thread at a time, in order per channel.
   */
  public interface Listener {
    /** A peer finished the handshake; {@link #send} to it now queues. */
    void onPeerConnected(String peerId);

    /** The connection to a peer closed; messages still queued for it were discarded. */
    void onPeerDisconnected(String peerId);

    /** A message from an authenticated peer; {@code message} is the listener's to keep. */
    void onMessage(String peerId, int channel, byte[] message);
  }

  private final P2pConfig config;
  private final Listener listener;
  private final String nodeId;
  private final EventLoopGroup group;
  private final SecureRandom random = new SecureRandom();
  private final Backoff backoff;
  private final Object lock = new Object();
  private final ConcurrentHashMap<String, PeerConnection> peers = new ConcurrentHashMap<>();
  private final Map<String, Redial> persistent = new LinkedHashMap<>();
  private final AtomicLong droppedMessages = new AtomicLong();
  private final AtomicLong droppedPeers = new AtomicLong();
  private final AtomicLong refusedPeers = new AtomicLong();
  private final AtomicLong sharedAssembly = new AtomicLong();
  private final AtomicInteger inboundSockets = new AtomicInteger();
  private final Set<String> privileged;
  // Node id -> System.nanoTime() until which it is refused; guarded by lock.
  private final Map<String, Long> bannedUntil = new LinkedHashMap<>();
  private Channel server;
  private volatile boolean closed;

  /** Re-dial state of one persistent peer; guarded by {@link #lock}. */
  private static final class Redial {
    final PeerAddress address;
    int failures;
    boolean pending;

    Redial(PeerAddress address) {
      this.address = address;
    }
  }

  private P2pNode(P2pConfig config, Listener listener) {
    this.config = config;
    this.listener = listener;
    this.nodeId = config.nodeId();
    this.privileged = config.privilegedPeerIds();
    this.backoff =
        new Backoff(
            config.reconnectBackoffMin(), config.reconnectBackoffMax(), config.jitterSeed());
    this.group = new NioEventLoopGroup(EVENT_LOOP_THREADS, new DefaultThreadFactory("p2p", true));
  }

  /** Binds the listen address and dials every persistent peer; returns once listening. */
  public static P2pNode start(P2pConfig config, Listener listener) {
    P2pNode node = new P2pNode(config, listener);
    try {
      node.bind();
    } catch (RuntimeException e) {
      node.group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
    node.dialPersistentPeers();
    return node;
  }

  private void bind() {
    PeerAddress listen = PeerAddress.parseListen(config.listenAddress());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(initializer(null));
    ChannelFuture bound = bootstrap.bind(listen.host(), listen.port()).syncUninterruptibly();
    server = bound.channel();
    LOG.info("p2p listening node_id={} address={}", nodeId, listenAddress());
  }

  private ChannelInitializer<SocketChannel> initializer(PeerAddress dialed) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        FrameDecoder frames = new FrameDecoder(SecretConnectionHandler.HANDSHAKE_FRAME);
        ch.pipeline()
            .addLast(new ReceiveThrottle(config.limits().recvRate()))
            .addLast(frames)
            .addLast(new SecretConnectionHandler(P2pNode.this, dialed, random, frames));
      }
    };
  }

  private void dialPersistentPeers() {
    synchronized (lock) {
      for (String text : config.persistentPeers()) {
        PeerAddress address = PeerAddress.parsePeer(text);
        if (address.id().equals(nodeId)) {
          LOG.warn("p2p persistent peer is this node, skipped peer={}", address);
          continue;
        }
        Redial redial = new Redial(address);
        persistent.put(address.id(), redial);
        redial.pending = true;
        group.execute(() -> dial(redial));
      }
    }
  }

  private void dial(Redial redial) {
    synchronized (lock) {
      if (closed || peers.containsKey(redial.address.id())) {
        redial.pending = false;
        return;
      }
    }
    PeerAddress address = redial.address;
    LOG.debug("p2p dialing peer={}", address);
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.dialTimeout().toMillis())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .handler(initializer(address));
    bootstrap
        .connect(address.host(), address.port())
        .addListener(
            (ChannelFuture f) -> {
              if (f.isSuccess()) {
                f.channel().closeFuture().addListener(c -> dialEnded(redial));
              } else {
                LOG.info(
                    "p2p dial failed peer={} attempt={} error={}",
                    address,
                    redial.failures + 1,
                    f.cause() == null ? "cancelled" : f.cause().getMessage());
                dialEnded(redial);
              }
            });
  }

  /** The outbound attempt is over (refused, failed handshake, or a connection that closed). */
  private void dialEnded(Redial redial) {
    synchronized (lock) {
      redial.pending = false;
      scheduleRedial(redial);
    }
  }

  /** Re-dials a persistent peer that is neither connected nor being dialed; holds lock. */
  private void scheduleRedial(Redial redial) {
    if (closed || redial.pending || peers.containsKey(redial.address.id())) {
      return;
    }
    long delay = backoff.delayMillis(redial.failures);
    redial.failures++;
    redial.pending = true;
    LOG.debug("p2p redial scheduled peer={} delay_ms={}", redial.address, delay);
    group.schedule(() -> dial(redial), delay, TimeUnit.MILLISECONDS);
  }

  /** {@code host:port} this node listens on (the bound port when configured with port 0). */
  public String listenAddress() {
    InetSocketAddress address = (InetSocketAddress) server.localAddress();
    String host = address.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /** This node's id: lower-case hex of the first 20 bytes of SHA-256 of its public key. */
  public String nodeId() {
    return nodeId;
  }

  /**
   * Queues a message for one peer without blocking. A message for a peer that is not connected is
   * discarded; when that peer's queue for this channel is full the message is dropped and counted
   * ({@link #droppedMessages()}).
   *
   * @throws IllegalArgumentException for an unknown channel or a message over its channel's size
   */
  public void send(String peerId, int channel, byte[] message) {
    checkMessage(channel, message);
    PeerConnection connection = peers.get(peerId);
    if (connection == null) {
      LOG.debug("p2p send to unconnected peer discarded peer={} channel={}", peerId, channel);
      return;
    }
    if (!connection.enqueue(channel, message)) {
      droppedMessages.incrementAndGet();
    }
  }

  /** Queues a message for every connected peer; see {@link #send}. */
  public void broadcast(int channel, byte[] message) {
    checkMessage(channel, message);
    for (PeerConnection connection : peers.values()) {
      if (!connection.enqueue(channel, message)) {
        droppedMessages.incrementAndGet();
      }
    }
  }

  private void checkMessage(int channel, byte[] message) {
    Integer max = config.maxMessageBytes().get(channel);
    if (max == null) {
      throw new IllegalArgumentException("unknown channel 0x" + Integer.toHexString(channel));
    }
    if (message.length > max) {
      throw new IllegalArgumentException(
          "message of "
              + message.length
              + " bytes over channel 0x"
              + Integer.toHexString(channel)
              + " max "
              + max);
    }
  }

  /** Ids of the peers connected now, sorted. */
  public Set<String> connectedPeers() {
    return Collections.unmodifiableSet(new TreeSet<>(peers.keySet()));
  }

  /** Messages dropped so far because a peer's queue was full. */
  public long droppedMessages() {
    return droppedMessages.get();
  }

  /**
   * Connections dropped so far for breaking the protocol (bad handshake or frame) or for the
   * misbehavior the layer above reported.
   */
  public long droppedPeers() {
    return droppedPeers.get();
  }

  /** Connections refused so far by the peer limits or a ban. */
  public long refusedPeers() {
    return refusedPeers.get();
  }

  /**
   * Counts a message from {@code peerId} that the layer above could not use: see {@link
   * Misbehavior}. Once the peer's score reaches {@link Misbehavior#DROP_SCORE} it is dropped and,
   * unless persistent or unconditional, refused for {@link PeerLimits#banDuration}. Any thread; a
   * peer no longer connected is ignored.
   */
  public void reportMisbehavior(String peerId, Misbehavior kind, String detail) {
    PeerConnection connection = peers.get(peerId);
    if (connection == null) {
      return;
    }
    long score = connection.misbehaved(kind);
    if (score < Misbehavior.DROP_SCORE) {
      LOG.info(
          "peer misbehaved peer={} kind={} score={} detail=\"{}\"",
          peerId,
          kind.name().toLowerCase(Locale.ROOT),
          score,
          detail);
      return;
    }
    LOG.warn(
        "peer dropped peer={} reason={} score={} detail=\"{}\"",
        peerId,
        kind.name().toLowerCase(Locale.ROOT),
        score,
        detail);
    droppedPeers.incrementAndGet();
    ban(peerId, kind.name().toLowerCase(Locale.ROOT));
    connection.channel.close();
  }

  /** Whether {@code peerId} is refused now for an earlier misbehavior. */
  public boolean isBanned(String peerId) {
    synchronized (lock) {
      return bannedNow(peerId);
    }
  }

  /** Closes every connection and the listener; no listener calls after this returns. */
  @Override
  public void close() {
    List<Channel> channels;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      channels = new ArrayList<>();
      peers.values().forEach(c -> channels.add(c.channel));
      peers.clear();
    }
    if (server != null) {
      server.close().awaitUninterruptibly();
    }
    channels.forEach(c -> c.close().awaitUninterruptibly());
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    LOG.info("p2p closed node_id={}", nodeId);
  }

  P2pConfig config() {
    return config;
  }

  void countDroppedPeer() {
    droppedPeers.incrementAndGet();
  }

  void countRefusedPeer() {
    refusedPeers.incrementAndGet();
  }

  AtomicLong sharedAssembly() {
    return sharedAssembly;
  }

  boolean isPrivileged(String peerId) {
    return privileged.contains(peerId);
  }

  /**
   * Counts a new inbound socket, or says why it is refused: CometBFT's bound on incoming
   * connections, {@code max_num_inbound_peers} plus the persistent and unconditional peers, which
   * also bounds the handshakes in progress. Null when accepted; {@link #closeInbound} undoes it.
   */
  String openInbound() {
    int limit = config.limits().maxNumInboundPeers() + privileged.size();
    if (inboundSockets.incrementAndGet() > limit) {
      inboundSockets.decrementAndGet();
      return limit + " inbound connections open (max_num_inbound_peers plus listed peers)";
    }
    return null;
  }

  void closeInbound() {
    inboundSockets.decrementAndGet();
  }

  /**
   * Why an authenticated peer is not taken now, or null: a ban, or no free inbound or outbound
   * place for a peer that is neither persistent nor unconditional.
   */
  Refusal refusal(String peerId, boolean outbound) {
    synchronized (lock) {
      return limitRefusal(peerId, outbound);
    }
  }

  /** {@link #refusal}; holds lock. A peer's existing connection is replaced, so it counts once. */
  private Refusal limitRefusal(String peerId, boolean outbound) {
    if (closed) {
      return CLOSED;
    }
    if (privileged.contains(peerId)) {
      return null;
    }
    if (bannedNow(peerId)) {
      return new Refusal("banned", "refused for misbehaving earlier");
    }
    int max =
        outbound ? config.limits().maxNumOutboundPeers() : config.limits().maxNumInboundPeers();
    int count = 0;
    for (PeerConnection c : peers.values()) {
      if (c.outbound == outbound && !c.privileged && !c.peerId.equals(peerId)) {
        count++;
      }
    }
    if (count >= max) {
      String key = outbound ? "max_num_outbound_peers" : "max_num_inbound_peers";
      return new Refusal(
          outbound ? "outbound_full" : "inbound_full", count + " peers, " + key + " " + max);
    }
    return null;
  }

  /** Holds lock. Expired bans are forgotten here. */
  private boolean bannedNow(String peerId) {
    Long until = bannedUntil.get(peerId);
    if (until == null) {
      return false;
    }
    if (System.nanoTime() - until >= 0) {
      bannedUntil.remove(peerId);
      return false;
    }
    return true;
  }

  /** Refuses {@code peerId} for the ban duration, unless it is persistent or unconditional. */
  void ban(String peerId, String reason) {
    if (privileged.contains(peerId)) {
      LOG.info(
          "peer not banned peer={} reason={} because=persistent_or_unconditional", peerId, reason);
      return;
    }
    long millis = config.limits().banDuration().toMillis();
    synchronized (lock) {
      bannedUntil.put(peerId, System.nanoTime() + millis * 1_000_000L);
    }
    LOG.info("peer banned peer={} reason={} duration_ms={}", peerId, reason, millis);
  }

  /**
   * Decides, on the side with the lower node id, whether a new authenticated connection is kept:
   * null when it is, {@link #DUPLICATE} for a second connection dialed the other way (both sides
   * dialed at once: the first one to authenticate wins), or a refusal by the limits. A second
   * connection dialed the same way replaces the first, because its dialer only dials when it
   * believes the old one dead (a restart, a half-open socket).
   */
  Refusal admit(PeerConnection connection) {
    synchronized (lock) {
      if (closed) {
        return CLOSED;
      }
      PeerConnection existing = peers.get(connection.peerId);
      if (existing != null && existing.outbound != connection.outbound) {
        return DUPLICATE;
      }
      Refusal refusal = limitRefusal(connection.peerId, connection.outbound);
      if (refusal != null) {
        return refusal;
      }
      install(connection, existing);
      return null;
    }
  }

  /**
   * Registers a connection the lower-id peer admitted, replacing any older one; or the refusal of
   * this node's own limits.
   */
  Refusal register(PeerConnection connection) {
    synchronized (lock) {
      Refusal refusal = limitRefusal(connection.peerId, connection.outbound);
      if (refusal != null) {
        return refusal;
      }
      install(connection, peers.get(connection.peerId));
      return null;
    }
  }

  private void install(PeerConnection connection, PeerConnection existing) {
    peers.put(connection.peerId, connection);
    if (existing != null) {
      LOG.info("peer connection replaced peer={}", connection.peerId);
      existing.channel.close();
      notify(() -> listener.onPeerDisconnected(connection.peerId));
    }
    Redial redial = persistent.get(connection.peerId);
    if (redial != null) {
      redial.failures = 0;
    }
    LOG.info(
        "peer connected peer={} outbound={} remote={}",
        connection.peerId,
        connection.outbound,
        connection.channel.remoteAddress());
    notify(() -> listener.onPeerConnected(connection.peerId));
  }

  void connectionClosed(PeerConnection connection) {
    synchronized (lock) {
      if (closed || !peers.remove(connection.peerId, connection)) {
        return;
      }
      LOG.info("peer disconnected peer={}", connection.peerId);
      notify(() -> listener.onPeerDisconnected(connection.peerId));
      Redial redial = persistent.get(connection.peerId);
      if (redial != null) {
        scheduleRedial(redial);
      }
    }
  }

  void deliver(String peerId, int channel, byte[] message) {
    if (!closed) {
      notify(() -> listener.onMessage(peerId, channel, message));
    }
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      // A listener bug must not take the connection (or the event loop) down with it.
      LOG.warn("p2p listener failed error={}", e.toString(), e);
    }
  }
}
