package io.peerz.p2p;

import io.peerz.ledger.Hex;
import io.peerz.ledger.Sha256;
import java.util.Arrays;

/** CometBFT's node id: lower-case hex of the first 20 bytes of SHA-256 of the Ed25519 key. */
public final class NodeId {
  private NodeId() {}

  /** The node id of a 32-byte Ed25519 public key. */
  public static String of(byte[] ed25519PublicKey) {
    if (ed25519PublicKey.length != 32) {
      throw new IllegalArgumentException("an Ed25519 public key has 32 bytes");
    }
    return Hex.encode(Arrays.copyOf(Sha256.hash(ed25519PublicKey), 20));
  }

  static boolean isValid(String id) {
    return id.length() == 40
        && id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
}
