package io.peerz.p2p;

import java.util.Locale;

/** A host and port, with the node id expected there when it came from {@code id@host:port}. */
record PeerAddress(String id, String host, int port) {

  /** Parses CometBFT's {@code id@host:port}, with or without a {@code tcp://} prefix. */
  static PeerAddress parsePeer(String text) {
    String s = stripScheme(text.trim());
    int at = s.indexOf('@');
    if (at <= 0) {
      throw new IllegalArgumentException("peer address is not id@host:port: " + text);
    }
    String id = s.substring(0, at).toLowerCase(Locale.ROOT);
    if (!NodeId.isValid(id)) {
      throw new IllegalArgumentException("peer id is not 40 hex digits: " + text);
    }
    PeerAddress hostPort = parseListen(s.substring(at + 1));
    return new PeerAddress(id, hostPort.host(), hostPort.port());
  }

  /** Parses {@code host:port} (port 0 allowed), with or without a {@code tcp://} prefix. */
  static PeerAddress parseListen(String text) {
    String s = stripScheme(text.trim());
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("address is not host:port: " + text);
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port is not a number: " + text, e);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + text);
    }
    return new PeerAddress(null, host, port);
  }

  private static String stripScheme(String s) {
    return s.startsWith("tcp://") ? s.substring("tcp://".length()) : s;
  }

  String hostPort() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return id == null ? hostPort() : id + "@" + hostPort();
  }
}
