package io.peerz.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.p2p.proto.Admission;
import io.peerz.p2p.proto.AuthSignature;
import io.peerz.p2p.proto.Packet;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fuzz targets (Jazzer) for the p2p decoders below the reactors: the length-prefixed frames and the
 * handshake of an unauthenticated connection, what an authenticated peer seals (its auth message,
 * admissions, packets), and packets put back together into messages. Nothing a peer sends may throw
 * out of them, and no message may pass its channel's cap. The reactors' own decoder is
 * ReactorFuzzTest's. Corpus: src/test/resources/ io/peerz/p2p/P2pFuzzTestInputs; docs/fuzzing.md
 * says how to run them longer.
 */
public class P2pFuzzTest {
  private static final Map<Integer, Integer> CAPS =
      Map.of(P2pChannels.CONSENSUS_STATE, 300, P2pChannels.MEMPOOL, 5000, 0x7f, 1);

  /** Messages delivered over their channel's cap (the listener cannot throw into the node). */
  private static final AtomicLong OVERSIZE = new AtomicLong();

  private static final P2pNode NODE =
      P2pNode.start(
          new P2pConfig(
              Ed25519KeyPair.fromSeed(new byte[32]),
              "peerz-fuzz",
              "127.0.0.1:0",
              List.of(),
              CAPS,
              16,
              Duration.ofSeconds(3),
              Duration.ofSeconds(1),
              Duration.ofSeconds(2),
              1L,
              PeerLimits.DEFAULT
                  .with(1_000_000, 10, PeerLimits.MIN_PACKET_PAYLOAD, 1L << 30, 1L << 30)
                  // Bans end at once: every input starts from a node that has forgotten the last.
                  .withBan(Duration.ZERO, 8000)),
          new P2pNode.Listener() {
            @Override
            public void onPeerConnected(String peerId) {}

            @Override
            public void onPeerDisconnected(String peerId) {}

            @Override
            public void onMessage(String peerId, int channel, byte[] message) {
              if (message.length > CAPS.get(channel)) {
                OVERSIZE.incrementAndGet();
              }
            }
          });

  /** Raw bytes from an unauthenticated peer, in the chunks TCP happened to deliver them in. */
  @FuzzTest
  public void anyBytesFromAStrangerEndItsConnectionQuietly(FuzzedDataProvider data) {
    FrameDecoder frames = new FrameDecoder(SecretConnectionHandler.HANDSHAKE_FRAME);
    EmbeddedChannel channel =
        new EmbeddedChannel(
            frames, new SecretConnectionHandler(NODE, null, new SecureRandom(), frames));
    while (data.remainingBytes() > 0 && channel.isOpen()) {
      channel.writeInbound(Unpooled.wrappedBuffer(data.consumeBytes(data.consumeInt(1, 2048))));
      channel.checkException();
    }
    assertThat((Object) channel.readInbound()).isNull();
    channel.finishAndReleaseAll();
    // A stranger never gets as far as a peer.
    assertThat(NODE.connectedPeers()).isEmpty();
  }

  /**
   * Packets of an authenticated peer, each parsed from the input: a message comes out only whole,
   * within its channel's cap; anything else is a protocol violation, never another exception; and
   * once the connection is gone the shared budget holds nothing of it.
   */
  @FuzzTest
  public void packetsComeOutAsWholeMessagesWithinTheirCapsOrAsAViolation(FuzzedDataProvider data) {
    AtomicLong shared = new AtomicLong();
    MessageAssembly assembly = new MessageAssembly(shared, 8000);
    try {
      while (data.remainingBytes() > 0) {
        Packet packet;
        if (data.consumeBoolean()) {
          try {
            packet = Packet.parseFrom(data.consumeBytes(data.consumeInt(0, 600)));
          } catch (InvalidProtocolBufferException e) {
            continue;
          }
        } else {
          packet =
              Packet.newBuilder()
                  .setMessage(
                      io.peerz.p2p.proto.ChannelMessage.newBuilder()
                          .setChannel(data.pickValue(List.of(0x20, 0x30, 0x7f, 0x21)))
                          .setPayload(
                              ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 600))))
                          .setMore(data.consumeBoolean()))
                  .build();
        }
        if (packet.getSumCase() != Packet.SumCase.MESSAGE) {
          continue;
        }
        Integer cap = CAPS.get(packet.getMessage().getChannel());
        if (cap == null) {
          continue; // the handler drops the peer before the assembly sees it
        }
        byte[] whole =
            assembly.add(
                packet.getMessage().getChannel(),
                packet.getMessage().getPayload(),
                packet.getMessage().getMore(),
                cap);
        if (whole != null) {
          assertThat(whole.length).isLessThanOrEqualTo(cap);
          assertThat(assembly.inProgress()).isFalse();
        }
        assertThat(shared.get()).isBetween(0L, 8000L + 600);
      }
    } catch (PeerProtocolException e) {
      assertThat(e.reason()).isNotEmpty();
    } finally {
      assembly.release();
    }
    assertThat(shared.get()).isZero();
  }

  private static final Ed25519KeyPair[] PEERS = {
    Ed25519KeyPair.fromSeed(
        new byte[] {
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
          26, 27, 28, 29, 30, 31, 32
        }),
    Ed25519KeyPair.fromSeed(new byte[32]),
  };

  private static ByteBuf frame(byte[] body) {
    ByteBuf b = Unpooled.buffer(4 + body.length);
    b.writeInt(body.length);
    b.writeBytes(body);
    return b;
  }

  private static byte[] readFrame(EmbeddedChannel channel) {
    ByteBuf out = channel.readOutbound();
    if (out == null) {
      return null;
    }
    try {
      if (out.readableBytes() < 4) {
        return null;
      }
      byte[] body = new byte[out.readInt()];
      out.readBytes(body);
      return body;
    } finally {
      out.release();
    }
  }

  /**
   * What an authenticated peer sends: the harness runs the key exchange, then seals plaintexts from
   * the input (an auth message, honest or not, then packets or any bytes), so that the fuzzer
   * reaches the checks behind the encryption.
   */
  @FuzzTest
  public void whateverAnAuthenticatedPeerSealsEndsInMessagesOrADrop(FuzzedDataProvider data)
      throws Exception {
    FrameDecoder frames = new FrameDecoder(SecretConnectionHandler.HANDSHAKE_FRAME);
    EmbeddedChannel channel =
        new EmbeddedChannel(
            frames, new SecretConnectionHandler(NODE, null, new SecureRandom(), frames));
    try {
      byte[] nodeEphemeral = readFrame(channel);
      byte[] mine = SessionKeys.newEphemeralPrivate(new SecureRandom());
      channel.writeInbound(frame(SessionKeys.ephemeralPublic(mine)));
      SessionKeys keys = SessionKeys.derive(mine, nodeEphemeral);
      FrameCipher seal = new FrameCipher(keys.sendKey());
      Ed25519KeyPair key = PEERS[data.consumeInt(0, PEERS.length - 1)];
      byte[] auth;
      if (data.consumeBoolean()) {
        String chain = data.consumeBoolean() ? "peerz-fuzz" : data.consumeString(60);
        auth =
            AuthSignature.newBuilder()
                .setPubKey(ByteString.copyFrom(key.publicKey()))
                .setSignature(
                    ByteString.copyFrom(key.sign(SessionKeys.authMessage(keys.challenge(), chain))))
                .setChainId(chain)
                .build()
                .toByteArray();
      } else {
        auth = data.consumeBytes(data.consumeInt(0, 300));
      }
      channel.writeInbound(frame(seal.seal(auth)));
      while (data.remainingBytes() > 0 && channel.isOpen()) {
        byte[] plaintext;
        if (data.consumeBoolean()) {
          Packet.Builder p = Packet.newBuilder();
          if (data.consumeInt(0, 9) == 0) {
            p.setAdmission(Admission.newBuilder().setAccepted(data.consumeBoolean()));
          } else {
            p.setMessage(
                io.peerz.p2p.proto.ChannelMessage.newBuilder()
                    .setChannel(data.pickValue(List.of(0x20, 0x30, 0x7f, 0x21)))
                    .setPayload(ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 2000))))
                    .setMore(data.consumeBoolean()));
          }
          plaintext = p.build().toByteArray();
        } else {
          plaintext = data.consumeBytes(data.consumeInt(0, 2000));
        }
        channel.writeInbound(frame(seal.seal(plaintext)));
        channel.checkException();
      }
    } finally {
      channel.finishAndReleaseAll();
    }
    assertThat(NODE.connectedPeers()).isEmpty();
    assertThat(OVERSIZE.get()).isZero();
  }
}
