package io.peerz.ledger;

import java.math.BigInteger;

/**
 * A libp2p peer id in its base58btc text form: {@code Qm...} (SHA-256 multihash of an RSA key, 46
 * characters) or {@code 12D3KooW...} (identity multihash of an Ed25519 key, 52 characters). The one
 * base58 alphabet of the project: the CLI derives ids with it and the state machine checks the ids
 * that register-node carries with it.
 */
public final class PeerId {
  private PeerId() {}

  /** Bitcoin's base58 alphabet, which libp2p's base58btc uses. */
  static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

  /** Whether {@code id} has the shape of a Qm... or 12D3KooW... peer id in base58btc. */
  public static boolean valid(String id) {
    boolean shape =
        (id.startsWith("Qm") && id.length() == 46)
            || (id.startsWith("12D3KooW") && id.length() == 52);
    if (!shape) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      if (ALPHABET.indexOf(id.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The peer id of an Ed25519 public key: base58btc of the identity multihash of the
   * protobuf-encoded public key, the {@code 12D3KooW...} form the seeds' {@code --peer_id} takes.
   */
  public static String ofEd25519(byte[] publicKey) {
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

  /** Base58btc of {@code bytes}: leading zero bytes become leading '1's. */
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
