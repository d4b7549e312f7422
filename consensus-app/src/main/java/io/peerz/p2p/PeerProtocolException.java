package io.peerz.p2p;

/**
 * A peer broke the protocol (bad handshake, frame that fails authentication, oversize, unknown
 * channel), or its connection cannot go on (a budget is full); the connection is dropped with
 * {@link #reason()} as the logged reason, and an authenticated peer that broke the protocol is
 * banned.
 */
final class PeerProtocolException extends RuntimeException {
  private final String reason;
  private final String detail;
  private final boolean violation;

  /** The peer broke the protocol. */
  PeerProtocolException(String reason, String detail) {
    this(reason, detail, true);
  }

  /** {@code violation} false: the connection ends for this node's reasons, not the peer's fault. */
  PeerProtocolException(String reason, String detail, boolean violation) {
    super(reason + ": " + detail, null, false, false);
    this.reason = reason;
    this.detail = detail;
    this.violation = violation;
  }

  /** Whether the peer broke the protocol (then it is banned once authenticated). */
  boolean violation() {
    return violation;
  }

  String reason() {
    return reason;
  }

  String detail() {
    return detail;
  }
}
