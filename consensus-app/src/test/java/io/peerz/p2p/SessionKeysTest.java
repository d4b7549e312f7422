package io.peerz.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SessionKeysTest {
  private final SecureRandom random = new SecureRandom();

  @Test
  void bothSidesDeriveMirroredKeysAndTheSameChallenge() {
    byte[] a = SessionKeys.newEphemeralPrivate(random);
    byte[] b = SessionKeys.newEphemeralPrivate(random);
    SessionKeys ka = SessionKeys.derive(a, SessionKeys.ephemeralPublic(b));
    SessionKeys kb = SessionKeys.derive(b, SessionKeys.ephemeralPublic(a));

    assertThat(ka.sendKey()).isEqualTo(kb.receiveKey()).hasSize(32);
    assertThat(ka.receiveKey()).isEqualTo(kb.sendKey());
    assertThat(ka.challenge()).isEqualTo(kb.challenge()).hasSize(32);
    assertThat(ka.sendKey()).isNotEqualTo(ka.receiveKey());
    assertThat(ka.challenge()).isNotEqualTo(ka.sendKey()).isNotEqualTo(ka.receiveKey());
  }

  @Test
  void derivationIsAFunctionOfTheTwoEphemeralKeys() {
    byte[] a = seed(1);
    byte[] b = seed(2);
    SessionKeys first = SessionKeys.derive(a, SessionKeys.ephemeralPublic(b));
    SessionKeys again = SessionKeys.derive(a, SessionKeys.ephemeralPublic(b));
    SessionKeys other = SessionKeys.derive(a, SessionKeys.ephemeralPublic(seed(3)));

    assertThat(again.sendKey()).isEqualTo(first.sendKey());
    assertThat(again.challenge()).isEqualTo(first.challenge());
    assertThat(other.sendKey()).isNotEqualTo(first.sendKey());
    assertThat(other.challenge()).isNotEqualTo(first.challenge());
  }

  @Test
  void reflectedEphemeralKeyIsRefused() {
    byte[] a = SessionKeys.newEphemeralPrivate(random);
    assertThatThrownBy(() -> SessionKeys.derive(a, SessionKeys.ephemeralPublic(a)))
        .isInstanceOf(PeerProtocolException.class)
        .hasMessageContaining("reflected");
  }

  @Test
  void lowOrderEphemeralKeyIsRefused() {
    byte[] a = SessionKeys.newEphemeralPrivate(random);
    // The all-zero point has order 1: the shared secret would be zero whatever our key is.
    assertThatThrownBy(() -> SessionKeys.derive(a, new byte[32]))
        .isInstanceOf(PeerProtocolException.class)
        .extracting(e -> ((PeerProtocolException) e).reason())
        .isEqualTo("malformed_handshake");
  }

  @Test
  void ephemeralKeyOfTheWrongLengthIsAMalformedHandshake() {
    byte[] a = SessionKeys.newEphemeralPrivate(random);
    assertThatThrownBy(() -> SessionKeys.derive(a, new byte[31]))
        .isInstanceOf(PeerProtocolException.class)
        .hasMessageContaining("malformed_handshake");
  }

  @Test
  void authMessageBindsChallengeAndChainId() {
    byte[] challenge = seed(7);
    assertThat(SessionKeys.authMessage(challenge, "peerz-1"))
        .isNotEqualTo(SessionKeys.authMessage(challenge, "peerz-2"))
        .isNotEqualTo(SessionKeys.authMessage(seed(8), "peerz-1"));
  }

  private static byte[] seed(int b) {
    byte[] s = new byte[32];
    Arrays.fill(s, (byte) b);
    return s;
  }
}
