package io.peerz.p2p;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/**
 * The key schedule of one connection: an AES-256-GCM key per direction and the challenge each side
 * signs, all from one X25519 exchange of ephemeral keys.
 *
 * <p>HKDF-SHA256 over the shared secret, salted with both ephemeral keys in sorted order, gives 96
 * bytes: the key for frames sent by the lower key's owner, the key for the other direction, and the
 * challenge. Sorting lets both sides agree on which half is whose without a role flag; binding both
 * keys into the salt means a man in the middle who swaps keys ends with different secrets.
 */
record SessionKeys(byte[] sendKey, byte[] receiveKey, byte[] challenge) {

  static final int KEY_BYTES = 32;
  private static final byte[] INFO =
      "peerz/p2p/v2/secret-connection".getBytes(StandardCharsets.US_ASCII);

  /** A fresh ephemeral X25519 private key (32 bytes). */
  static byte[] newEphemeralPrivate(SecureRandom random) {
    return new X25519PrivateKeyParameters(random).getEncoded();
  }

  /** The X25519 public key of a private key. */
  static byte[] ephemeralPublic(byte[] ephemeralPrivate) {
    return new X25519PrivateKeyParameters(ephemeralPrivate, 0).generatePublicKey().getEncoded();
  }

  /**
   * Derives this side's keys.
   *
   * @throws PeerProtocolException when the remote key is malformed, equal to ours (a reflected
   *     handshake) or a low-order point (the shared secret would be all zeros)
   */
  static SessionKeys derive(byte[] localEphemeralPrivate, byte[] remoteEphemeralPublic) {
    if (remoteEphemeralPublic.length != KEY_BYTES) {
      throw new PeerProtocolException(
          "malformed_handshake", "ephemeral key of " + remoteEphemeralPublic.length + " bytes");
    }
    byte[] localPublic = ephemeralPublic(localEphemeralPrivate);
    if (Arrays.equals(localPublic, remoteEphemeralPublic)) {
      throw new PeerProtocolException("malformed_handshake", "reflected ephemeral key");
    }
    byte[] shared = new byte[KEY_BYTES];
    X25519Agreement agreement = new X25519Agreement();
    agreement.init(new X25519PrivateKeyParameters(localEphemeralPrivate, 0));
    try {
      agreement.calculateAgreement(
          new X25519PublicKeyParameters(remoteEphemeralPublic, 0), shared, 0);
    } catch (IllegalStateException e) {
      // Bouncy Castle refuses an all-zero result: the remote key is a low-order point.
      throw new PeerProtocolException("malformed_handshake", "low-order ephemeral key");
    }
    boolean localIsLow = Arrays.compareUnsigned(localPublic, remoteEphemeralPublic) < 0;
    byte[] low = localIsLow ? localPublic : remoteEphemeralPublic;
    byte[] high = localIsLow ? remoteEphemeralPublic : localPublic;
    byte[] salt = new byte[2 * KEY_BYTES];
    System.arraycopy(low, 0, salt, 0, KEY_BYTES);
    System.arraycopy(high, 0, salt, KEY_BYTES, KEY_BYTES);

    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(shared, salt, INFO));
    byte[] okm = new byte[3 * KEY_BYTES];
    hkdf.generateBytes(okm, 0, okm.length);
    Arrays.fill(shared, (byte) 0);
    byte[] lowToHigh = Arrays.copyOfRange(okm, 0, KEY_BYTES);
    byte[] highToLow = Arrays.copyOfRange(okm, KEY_BYTES, 2 * KEY_BYTES);
    byte[] challenge = Arrays.copyOfRange(okm, 2 * KEY_BYTES, 3 * KEY_BYTES);
    Arrays.fill(okm, (byte) 0);
    return localIsLow
        ? new SessionKeys(lowToHigh, highToLow, challenge)
        : new SessionKeys(highToLow, lowToHigh, challenge);
  }

  /** The bytes each side signs with its node key: a domain tag, the challenge and the chain id. */
  static byte[] authMessage(byte[] challenge, String chainId) {
    byte[] tag = "peerz/p2p/v1/auth".getBytes(StandardCharsets.US_ASCII);
    byte[] chain = chainId.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[tag.length + challenge.length + chain.length];
    System.arraycopy(tag, 0, out, 0, tag.length);
    System.arraycopy(challenge, 0, out, tag.length, challenge.length);
    System.arraycopy(chain, 0, out, tag.length + challenge.length, chain.length);
    return out;
  }

  @Override
  public String toString() {
    return "SessionKeys[redacted]";
  }
}
