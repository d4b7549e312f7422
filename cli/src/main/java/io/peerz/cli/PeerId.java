package io.peerz.cli;

import java.math.BigInteger;

/**
 * The libp2p peer id of an Ed25519 public key: base58btc of the identity multihash of the
 * protobuf-encoded public key, the {@code 12D3KooW...} form the seeds' {@code --peer_id} takes.
 */
final class PeerId {
  private static final String ALPHABET =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

  private PeerId() {}

  static String ofEd25519(byte[] publicKey) {
    if (publicKey.length != 32) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
    }
    // multihash(identity=0x00, length=36) || PublicKey{Type: Ed25519 (field 1 = 1), Data (field 2)}
    byte[] mh = new byte[38];
    mh[0] = 0x00;
    mh[1] = 36;
    mh[2] = 0x08;
    mh[3] = 0x01;
    mh[4] = 0x12;
    mh[5] = 0x20;
    System.arraycopy(publicKey, 0, mh, 6, 32);
    return base58(mh);
  }

  static String base58(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    BigInteger n = new BigInteger(1, bytes);
    BigInteger radix = BigInteger.valueOf(58);
    while (n.signum() > 0) {
      BigInteger[] qr = n.divideAndRemainder(radix);
      sb.append(ALPHABET.charAt(qr[1].intValue()));
      n = qr[0];
    }
    for (int i = 0; i < bytes.length && bytes[i] == 0; i++) {
      sb.append('1');
    }
    return sb.reverse().toString();
  }
}
