package io.peerz.abci;

/** A request the server cannot serve; it is answered with a ResponseException. */
final class AbciException extends RuntimeException {
  AbciException(String message) {
    super(message);
  }
}
