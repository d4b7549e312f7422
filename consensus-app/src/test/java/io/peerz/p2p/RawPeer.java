package io.peerz.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.p2p.proto.Admission;
import io.peerz.p2p.proto.AuthSignature;
import io.peerz.p2p.proto.ChannelMessage;
import io.peerz.p2p.proto.Packet;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;

/**
 * A blocking socket client that speaks (or mis-speaks) the wire protocol by hand, to feed a node
 * what a well-behaved peer never would.
 */
final class RawPeer implements AutoCloseable {
  final Ed25519KeyPair key;
  final String id;
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private FrameCipher sendCipher;
  private FrameCipher receiveCipher;

  RawPeer(Ed25519KeyPair key, String hostPort) throws IOException {
    this(key, connect(hostPort));
  }

  /** Speaks over a socket this test accepted (the node dialed us). */
  RawPeer(Ed25519KeyPair key, Socket socket) throws IOException {
    this.key = key;
    this.id = NodeId.of(key.publicKey());
    this.socket = socket;
    socket.setSoTimeout((int) RecordingListener.DEADLINE_MILLIS);
    this.in = new DataInputStream(socket.getInputStream());
    this.out = new DataOutputStream(socket.getOutputStream());
  }

  private static Socket connect(String hostPort) throws IOException {
    PeerAddress address = PeerAddress.parseListen(hostPort);
    return new Socket(address.host(), address.port());
  }

  void writeRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void writeFrame(byte[] body) throws IOException {
    out.writeInt(body.length);
    out.write(body);
    out.flush();
  }

  byte[] readFrame() throws IOException {
    byte[] body = new byte[in.readInt()];
    in.readFully(body);
    return body;
  }

  /** Runs the whole handshake as an honest peer on {@code chainId} and checks it was admitted. */
  void handshake(String chainId, String nodeId) throws IOException {
    assertThat(handshake(chainId, nodeId, true)).as("admitted").isTrue();
  }

  /**
   * Runs the handshake; when this peer has the lower id it answers {@code admit}, otherwise it
   * returns the node's decision.
   */
  boolean handshake(String chainId, String nodeId, boolean admit) throws IOException {
    byte[] ephemeral = SessionKeys.newEphemeralPrivate(new SecureRandom());
    writeFrame(SessionKeys.ephemeralPublic(ephemeral));
    SessionKeys keys = SessionKeys.derive(ephemeral, readFrame());
    sendCipher = new FrameCipher(keys.sendKey());
    receiveCipher = new FrameCipher(keys.receiveKey());
    byte[] signed = SessionKeys.authMessage(keys.challenge(), chainId);
    writeSealed(
        AuthSignature.newBuilder()
            .setPubKey(ByteString.copyFrom(key.publicKey()))
            .setSignature(ByteString.copyFrom(key.sign(signed)))
            .setChainId(chainId)
            .build()
            .toByteArray());
    AuthSignature theirs = AuthSignature.parseFrom(receiveCipher.open(readFrame()));
    assertThat(NodeId.of(theirs.getPubKey().toByteArray())).isEqualTo(nodeId);
    assertThat(
            Ed25519.verify(
                theirs.getPubKey().toByteArray(), signed, theirs.getSignature().toByteArray()))
        .isTrue();
    if (id.compareTo(nodeId) < 0) {
      writeSealed(
          Packet.newBuilder()
              .setAdmission(Admission.newBuilder().setAccepted(admit))
              .build()
              .toByteArray());
      return admit;
    }
    Packet admission = Packet.parseFrom(receiveCipher.open(readFrame()));
    assertThat(admission.getSumCase()).isEqualTo(Packet.SumCase.ADMISSION);
    return admission.getAdmission().getAccepted();
  }

  void writeSealed(byte[] plaintext) throws IOException {
    writeFrame(sendCipher.seal(plaintext));
  }

  /** A message sealed as the next frame but not written. */
  byte[] sealMessage(int channel, byte[] payload) {
    return sendCipher.seal(
        Packet.newBuilder()
            .setMessage(
                ChannelMessage.newBuilder()
                    .setChannel(channel)
                    .setPayload(ByteString.copyFrom(payload)))
            .build()
            .toByteArray());
  }

  void sendMessage(int channel, byte[] payload) throws IOException {
    writeFrame(sealMessage(channel, payload));
  }

  /** One packet of a message: {@code more} says another packet of it follows. */
  void sendPacket(int channel, byte[] payload, boolean more) throws IOException {
    writeSealed(
        Packet.newBuilder()
            .setMessage(
                ChannelMessage.newBuilder()
                    .setChannel(channel)
                    .setPayload(ByteString.copyFrom(payload))
                    .setMore(more))
            .build()
            .toByteArray());
  }

  /**
   * Runs the handshake as an honest peer as far as the node lets it; false when the node closed the
   * connection during it. A node that refuses only after the auth message closes the socket after
   * this returns true: {@link #closedByRemote()} tells.
   */
  boolean tryHandshake(String chainId, String nodeId) throws IOException {
    try {
      return handshake(chainId, nodeId, true);
    } catch (java.io.EOFException | java.net.SocketException e) {
      return false;
    }
  }

  /** Reads and opens the next message frame. */
  ChannelMessage readMessage() throws IOException {
    return Packet.parseFrom(receiveCipher.open(readFrame())).getMessage();
  }

  /** True once the node closed the socket; false if it is still open at the deadline. */
  boolean closedByRemote() throws IOException {
    byte[] sink = new byte[8192];
    try {
      while (true) {
        if (in.read(sink) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by peer
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
