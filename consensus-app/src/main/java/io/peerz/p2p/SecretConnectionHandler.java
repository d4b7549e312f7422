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
 * connection and says so in an {@link Admission}; after that only {@link ChannelMessage}s flow.
 * Anything unexpected drops the connection with one WARN line; nothing a peer sends can throw out
 * of this handler.
 */
final class SecretConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(SecretConnectionHandler.class);

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
  private State state = State.AWAIT_EPHEMERAL;
  private byte[] ephemeralPrivate;
  private FrameCipher sendCipher;
  private FrameCipher receiveCipher;
  private String remoteId;
  private PeerConnection connection;
  private ScheduledFuture<?> handshakeTimeout;
  private byte[] challenge;
  private boolean registered;

  /** {@code dialed} is the address this node dialed, or null for an inbound connection. */
  SecretConnectionHandler(P2pNode node, PeerAddress dialed, SecureRandom random) {
    this.node = node;
    this.dialed = dialed;
    this.random = random;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
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
                () -> drop(ctx, "handshake_timeout", "no handshake within " + timeoutMillis + "ms"),
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
      drop(ctx, e.reason(), e.detail());
    }
  }

  private void handle(ChannelHandlerContext ctx, byte[] frame) {
    switch (state) {
      case AWAIT_EPHEMERAL -> onEphemeral(ctx, frame);
      case AWAIT_AUTH -> onAuth(ctx, receiveCipher.open(frame));
      case AWAIT_ADMISSION -> onAdmission(ctx, parsePacket(receiveCipher.open(frame), true));
      case READY -> onPacket(parsePacket(receiveCipher.open(frame), false));
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
    connection =
        new PeerConnection(
            remoteId,
            dialed != null,
            ctx.channel(),
            sendCipher,
            node.config().maxMessageBytes(),
            node.config().queueCapacity());
    if (node.nodeId().compareTo(remoteId) < 0) {
      // This node has the lower id: it alone decides which of two connections survives.
      boolean accepted = node.admit(connection);
      writeSealed(
          ctx,
          Packet.newBuilder()
              .setAdmission(Admission.newBuilder().setAccepted(accepted))
              .build()
              .toByteArray());
      if (accepted) {
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
      node.register(connection);
      ready(ctx);
    } else {
      closeDuplicate(ctx);
    }
  }

  private void ready(ChannelHandlerContext ctx) {
    state = State.READY;
    registered = true;
    handshakeTimeout.cancel(false);
    // Messages queued by listeners during onPeerConnected wait for this point.
    connection.drain();
  }

  private void onPacket(Packet packet) {
    switch (packet.getSumCase()) {
      case MESSAGE -> {
        ChannelMessage message = packet.getMessage();
        Integer max = node.config().maxMessageBytes().get(message.getChannel());
        if (max == null) {
          throw new PeerProtocolException(
              "unknown_channel", "channel=0x" + Integer.toHexString(message.getChannel()));
        }
        if (message.getPayload().size() > max) {
          throw new PeerProtocolException(
              "oversize_message",
              "channel=0x"
                  + Integer.toHexString(message.getChannel())
                  + " size="
                  + message.getPayload().size()
                  + " max="
                  + max);
        }
        node.deliver(remoteId, message.getChannel(), message.getPayload().toByteArray());
      }
      case ADMISSION ->
          throw new PeerProtocolException("malformed_packet", "admission after handshake");
      case SUM_NOT_SET -> throw new PeerProtocolException("malformed_packet", "empty packet");
    }
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
      drop(ctx, "frame_too_long", root.getMessage());
    } else if (root instanceof DecoderException) {
      drop(ctx, "malformed_frame", root.getMessage());
    } else if (root instanceof IOException) {
      LOG.debug("peer connection error peer={} error={}", who(ctx), root.toString());
      ctx.close();
    } else {
      drop(ctx, "internal_error", root.toString());
    }
  }

  private void drop(ChannelHandlerContext ctx, String reason, String detail) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    LOG.warn("peer dropped peer={} reason={} detail=\"{}\"", who(ctx), reason, detail);
    node.countDroppedPeer();
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
