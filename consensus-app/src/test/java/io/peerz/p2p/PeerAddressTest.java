package io.peerz.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Sha256;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PeerAddressTest {
  private static final String ID = "0123456789abcdef0123456789abcdef01234567";

  @Test
  void parsesCometBftPersistentPeerWithAndWithoutScheme() {
    assertThat(PeerAddress.parsePeer(ID + "@127.0.0.1:26656"))
        .isEqualTo(new PeerAddress(ID, "127.0.0.1", 26656));
    assertThat(PeerAddress.parsePeer("tcp://" + ID.toUpperCase() + "@node0:26656"))
        .isEqualTo(new PeerAddress(ID, "node0", 26656));
  }

  @Test
  void parsesListenAddressWithPortZeroAndBracketedIpv6() {
    assertThat(PeerAddress.parseListen("tcp://0.0.0.0:0"))
        .isEqualTo(new PeerAddress(null, "0.0.0.0", 0));
    assertThat(PeerAddress.parseListen("[::1]:26656").host()).isEqualTo("::1");
  }

  @Test
  void refusesPeerWithoutIdOrWithMalformedId() {
    assertThatThrownBy(() -> PeerAddress.parsePeer("127.0.0.1:26656"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PeerAddress.parsePeer("abc@127.0.0.1:26656"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PeerAddress.parseListen("127.0.0.1:99999"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PeerAddress.parseListen("127.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nodeIdIsLowerHexOfFirst20BytesOfSha256OfThePublicKey() {
    Ed25519KeyPair key = Ed25519KeyPair.fromSeed(new byte[32]);
    String id = NodeId.of(key.publicKey());
    assertThat(id).isEqualTo(Hex.encode(Arrays.copyOf(Sha256.hash(key.publicKey()), 20)));
    assertThat(id).hasSize(40).matches("[0-9a-f]{40}");
    assertThat(NodeId.isValid(id)).isTrue();
  }
}
