package io.peerz.state;

/**
 * Aborts a message's execution with an error code; its writes are discarded, fee and nonce stay.
 */
final class Rejection extends RuntimeException {
  final ErrorCode error;

  Rejection(ErrorCode error, String log) {
    super(log, null, false, false);
    this.error = error;
  }
}
