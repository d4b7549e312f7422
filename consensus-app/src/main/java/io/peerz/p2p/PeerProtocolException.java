package io.peerz.p2p;

/**
 * A peer broke the protocol (bad handshake, frame that fails authentication, oversize, unknown
 * channel); the connection is dropped with {@link #reason()} as the logged reason.
 */
final class PeerProtocolException extends RuntimeException {
  private final String reason;
  private final String detail;

  PeerProtocolException(String reason, String detail) {
    super(reason + ": " + detail, null, false, false);
    this.reason = reason;
    this.detail = detail;
  }

  String reason() {
    return reason;
  }

  String detail() {
    return detail;
  }
}
