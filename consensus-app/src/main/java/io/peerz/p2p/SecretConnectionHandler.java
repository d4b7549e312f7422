package io.peerz.p2p;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.peerz.ledger.Ed25519;
import io.peerz.p2p.proto.Admission;
import io.peerz.p2p.proto.AuthSignature;
import io.peerz.p2p.proto.ChannelMessage;
import io.peerz.p2p.proto.Packet;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handshake and the sealed frames of one TCP connection, after a 4-byte length-prefix decoder.
 *
 * <p>Steps: both sides send a 32-byte ephemeral X25519 key in clear; both derive {@link
 * SessionKeys}; both send, sealed, an {@link AuthSignature} (Ed25519 key, signature over the
 * challenge and chain id); the side with the lower node id then decides whether it keeps this
 * connection and says so in an {@link Admission}; after that only {@link ChannelMessage}s flow,
 * each a packet of a message. Frames are capped at {@link #HANDSHAKE_FRAME} bytes until the
 * handshake is over, one packet after. A peer over the node's limits is refused with one INFO line;
 * anything unexpected drops the connection with one WARN line and, once the peer is authenticated,
 * bans it. Nothing a peer sends can throw out of this handler.
 */
final class SecretConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(SecretConnectionHandler.class);

  /**
   * The largest handshake frame: an ephemeral key is 32 bytes, an auth message a key, a signature
   * and a chain id (CometBFT allows 50 characters) plus the tag, far below this.
   */
  static final int HANDSHAKE_FRAME = 1024;

  /** A packet's framing around its payload: Packet and ChannelMessage tags, lengths, the tag. */
  static final int PACKET_OVERHEAD = 64 + FrameCipher.TAG_BYTES;

  /**
   * Beyond the time a whole message takes at recv_rate (twice over), how long its packets may take
   * to arrive before the peer is dropped for holding a partial message.
   */
  static final long MESSAGE_SLACK_MILLIS = 30_000;

  private enum State {
    AWAIT_EPHEMERAL,
    AWAIT_AUTH,
    AWAIT_ADMISSION,
    READY,
    CLOSED
  }

  private final P2pNode node;
  private final PeerAddress dialed;
  private final SecureRandom random;
  private final FrameDecoder frames;
  private State state = State.AWAIT_EPHEMERAL;
  private boolean countedInbound;
  private MessageAssembly assembly;
  private ScheduledFuture<?> messageDeadline;
  private byte[] ephemeralPrivate;
  private FrameCipher sendCipher;
  private FrameCipher receiveCipher;
  private String remoteId;
  private PeerConnection connection;
  private ScheduledFuture<?> handshakeTimeout;
  private byte[] challenge;
  private boolean registered;

  /**
   * {@code dialed} is the address this node dialed, or null for an inbound connection; {@code
   * frames} is the decoder before this handler, whose cap this handler raises after the handshake.
   */
  SecretConnectionHandler(
      P2pNode node, PeerAddress dialed, SecureRandom random, FrameDecoder frames) {
    this.node = node;
    this.dialed = dialed;
    this.random = random;
    this.frames = frames;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (dialed == null) {
      String refusal = node.openInbound();
      if (refusal != null) {
        refuse(ctx, "inbound_connections_full", refusal);
        return;
      }
      countedInbound = true;
    }
    ephemeralPrivate = SessionKeys.newEphemeralPrivate(random);
    byte[] ephemeralPublic = SessionKeys.ephemeralPublic(ephemeralPrivate);
    ByteBuf buf = ctx.alloc().buffer(4 + ephemeralPublic.length);
    buf.writeInt(ephemeralPublic.length);
    buf.writeBytes(ephemeralPublic);
    ctx.writeAndFlush(buf);
    long timeoutMillis = node.config().dialTimeout().toMillis();
    handshakeTimeout =
        ctx.executor()
            .schedule(
                () ->
                    drop(
                        ctx,
                        "handshake_timeout",
                        "no handshake within " + timeoutMillis + "ms",
                        false),
                timeoutMillis,
                TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    byte[] frame;
    try {
      frame = ByteBufUtil.getBytes((ByteBuf) msg);
    } finally {
      ReferenceCountUtil.release(msg);
    }
    if (state == State.CLOSED) {
      return;
    }
    try {
      handle(ctx, frame);
    } catch (PeerProtocolException e) {
      drop(ctx, e.reason(), e.detail(), e.violation());
    }
  }

  private void handle(ChannelHandlerContext ctx, byte[] frame) {
    switch (state) {
      case AWAIT_EPHEMERAL -> onEphemeral(ctx, frame);
      case AWAIT_AUTH -> onAuth(ctx, receiveCipher.open(frame));
      case AWAIT_ADMISSION -> onAdmission(ctx, parsePacket(receiveCipher.open(frame), true));
      case READY -> onPacket(ctx, parsePacket(receiveCipher.open(frame), false));
      case CLOSED -> {}
    }
  }

  private void onEphemeral(ChannelHandlerContext ctx, byte[] remoteEphemeral) {
    SessionKeys keys = SessionKeys.derive(ephemeralPrivate, remoteEphemeral);
    ephemeralPrivate = null;
    sendCipher = new FrameCipher(keys.sendKey());
    receiveCipher = new FrameCipher(keys.receiveKey());
    P2pConfig config = node.config();
    byte[] signature =
        config.nodeKey().sign(SessionKeys.authMessage(keys.challenge(), config.chainId()));
    AuthSignature auth =
        AuthSignature.newBuilder()
            .setPubKey(ByteString.copyFrom(config.nodeKey().publicKey()))
            .setSignature(ByteString.copyFrom(signature))
            .setChainId(config.chainId())
            .build();
    writeSealed(ctx, auth.toByteArray());
    ctx.flush();
    challenge = keys.challenge();
    state = State.AWAIT_AUTH;
  }

  private void onAuth(ChannelHandlerContext ctx, byte[] plaintext) {
    AuthSignature auth;
    try {
      auth = AuthSignature.parseFrom(plaintext);
    } catch (InvalidProtocolBufferException e) {
      throw new PeerProtocolException("malformed_handshake", "auth message does not parse");
    }
    byte[] publicKey = auth.getPubKey().toByteArray();
    if (publicKey.length != 32 || auth.getSignature().size() != 64) {
      throw new PeerProtocolException("malformed_handshake", "bad key or signature length");
    }
    String chainId = node.config().chainId();
    if (!auth.getChainId().equals(chainId)) {
      throw new PeerProtocolException(
          "chain_id_mismatch", "peer chain_id=" + printable(auth.getChainId()));
    }
    if (!Ed25519.verify(
        publicKey,
        SessionKeys.authMessage(challenge, chainId),
        auth.getSignature().toByteArray())) {
      throw new PeerProtocolException("bad_signature", "challenge signature does not verify");
    }
    remoteId = NodeId.of(publicKey);
    if (remoteId.equals(node.nodeId())) {
      throw new PeerProtocolException("self_connection", "peer has this node's key");
    }
    if (dialed != null && !remoteId.equals(dialed.id())) {
      throw new PeerProtocolException("wrong_peer_id", "expected=" + dialed.id());
    }
    boolean privileged = node.isPrivileged(remoteId);
    P2pNode.Refusal refusal = node.refusal(remoteId, dialed != null);
    if (refusal != null) {
      refuse(ctx, refusal.reason(), refusal.detail());
      return;
    }
    connection =
        new PeerConnection(
            remoteId, dialed != null, privileged, ctx.channel(), sendCipher, node.config());
    assembly =
        privileged
            ? new MessageAssembly(null, 0)
            : new MessageAssembly(
                node.sharedAssembly(), node.config().limits().sharedAssemblyBytes());
    if (node.nodeId().compareTo(remoteId) < 0) {
      // This node has the lower id: it alone decides which of two connections survives.
      P2pNode.Refusal admitted = node.admit(connection);
      if (admitted != null && admitted != P2pNode.DUPLICATE) {
        refuse(ctx, admitted.reason(), admitted.detail());
        return;
      }
      writeSealed(
          ctx,
          Packet.newBuilder()
              .setAdmission(Admission.newBuilder().setAccepted(admitted == null))
              .build()
              .toByteArray());
      if (admitted == null) {
        ready(ctx);
        ctx.flush();
      } else {
        closeDuplicate(ctx);
      }
    } else {
      state = State.AWAIT_ADMISSION;
    }
  }

  private void onAdmission(ChannelHandlerContext ctx, Packet packet) {
    if (packet.getSumCase() != Packet.SumCase.ADMISSION) {
      throw new PeerProtocolException("malformed_handshake", "expected admission");
    }
    if (packet.getAdmission().getAccepted()) {
      P2pNode.Refusal refusal = node.register(connection);
      if (refusal != null) {
        refuse(ctx, refusal.reason(), refusal.detail());
        return;
      }
      ready(ctx);
    } else {
      closeDuplicate(ctx);
    }
  }

  private void ready(ChannelHandlerContext ctx) {
    state = State.READY;
    registered = true;
    handshakeTimeout.cancel(false);
    frames.maxFrame(node.config().limits().maxPacketMsgPayloadSize() + PACKET_OVERHEAD);
    // Messages queued by listeners during onPeerConnected wait for this point.
    connection.drain();
  }

  private void onPacket(ChannelHandlerContext ctx, Packet packet) {
    switch (packet.getSumCase()) {
      case MESSAGE -> {
        ChannelMessage message = packet.getMessage();
        Integer max = node.config().maxMessageBytes().get(message.getChannel());
        if (max == null) {
          throw new PeerProtocolException(
              "unknown_channel", "channel=0x" + Integer.toHexString(message.getChannel()));
        }
        boolean started = assembly.inProgress();
        byte[] whole =
            assembly.add(message.getChannel(), message.getPayload(), message.getMore(), max);
        if (whole != null) {
          if (messageDeadline != null) {
            messageDeadline.cancel(false);
            messageDeadline = null;
          }
          node.deliver(remoteId, message.getChannel(), whole);
        } else if (!started) {
          expectRestOfMessage(ctx, max);
        }
      }
      case ADMISSION ->
          throw new PeerProtocolException("malformed_packet", "admission after handshake");
      case SUM_NOT_SET -> throw new PeerProtocolException("malformed_packet", "empty packet");
    }
  }

  /** Drops the peer unless the message it started ends in time (a peer holding half a message). */
  private void expectRestOfMessage(ChannelHandlerContext ctx, int max) {
    long millis = max * 2_000L / node.config().limits().recvRate() + MESSAGE_SLACK_MILLIS;
    messageDeadline =
        ctx.executor()
            .schedule(
                () ->
                    drop(
                        ctx,
                        "message_stalled",
                        "a message's packets did not all arrive within " + millis + "ms",
                        false),
                millis,
                TimeUnit.MILLISECONDS);
  }

  private static Packet parsePacket(byte[] plaintext, boolean handshake) {
    try {
      return Packet.parseFrom(plaintext);
    } catch (InvalidProtocolBufferException e) {
      throw new PeerProtocolException(
          handshake ? "malformed_handshake" : "malformed_packet", "packet does not parse");
    }
  }

  private void writeSealed(ChannelHandlerContext ctx, byte[] plaintext) {
    byte[] sealed = sendCipher.seal(plaintext);
    ByteBuf buf = ctx.alloc().buffer(4 + sealed.length);
    buf.writeInt(sealed.length);
    buf.writeBytes(sealed);
    ctx.write(buf);
  }

  private void closeDuplicate(ChannelHandlerContext ctx) {
    state = State.CLOSED;
    handshakeTimeout.cancel(false);
    LOG.info("peer duplicate connection closed peer={} outbound={}", remoteId, dialed != null);
    ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(f -> ctx.close());
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (state == State.READY && ctx.channel().isWritable()) {
      connection.drain();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = State.CLOSED;
    if (handshakeTimeout != null) {
      handshakeTimeout.cancel(false);
    }
    if (messageDeadline != null) {
      messageDeadline.cancel(false);
    }
    if (assembly != null) {
      assembly.release();
    }
    if (countedInbound) {
      countedInbound = false;
      node.closeInbound();
    }
    if (registered) {
      node.connectionClosed(connection);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof TooLongFrameException) {
      drop(ctx, "frame_too_long", root.getMessage(), true);
    } else if (root instanceof DecoderException) {
      drop(ctx, "malformed_frame", root.getMessage(), true);
    } else if (root instanceof IOException) {
      LOG.debug("peer connection error peer={} error={}", who(ctx), root.toString());
      ctx.close();
    } else {
      drop(ctx, "internal_error", root.toString(), false);
    }
  }

  private void drop(ChannelHandlerContext ctx, String reason, String detail) {
    drop(ctx, reason, detail, true);
  }

  /** Drops the connection; a {@code violation} by an authenticated peer bans it. */
  private void drop(ChannelHandlerContext ctx, String reason, String detail, boolean violation) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    LOG.warn("peer dropped peer={} reason={} detail=\"{}\"", who(ctx), reason, detail);
    node.countDroppedPeer();
    if (violation && remoteId != null) {
      node.ban(remoteId, reason);
    }
    ctx.close();
  }

  /** Closes a connection the node's limits do not allow: the peer did nothing wrong. */
  private void refuse(ChannelHandlerContext ctx, String reason, String detail) {
    state = State.CLOSED;
    if (handshakeTimeout != null) {
      handshakeTimeout.cancel(false);
    }
    LOG.info("peer refused peer={} reason={} detail=\"{}\"", who(ctx), reason, detail);
    node.countRefusedPeer();
    ctx.close();
  }

  private String who(ChannelHandlerContext ctx) {
    String address = String.valueOf(ctx.channel().remoteAddress());
    return remoteId != null ? remoteId + " remote=" + address : "unknown remote=" + address;
  }

  private static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
