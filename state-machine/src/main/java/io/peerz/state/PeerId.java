package io.peerz.state;

/**
 * A libp2p peer id in its base58btc text form: {@code Qm...} (SHA-256 multihash of an RSA key, 46
 * characters) or {@code 12D3KooW...} (identity multihash of an Ed25519 key, 52 characters).
 */
final class PeerId {
  private PeerId() {}

  private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

  static boolean valid(String id) {
    boolean shape =
        (id.startsWith("Qm") && id.length() == 46)
            || (id.startsWith("12D3KooW") && id.length() == 52);
    if (!shape) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      if (BASE58.indexOf(id.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }
}
