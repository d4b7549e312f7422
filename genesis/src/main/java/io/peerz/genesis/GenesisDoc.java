package io.peerz.genesis;

import java.util.List;

/**
 * A parsed genesis.json (CometBFT layout). {@code rawJson} is the file as written, served by the
 * {@code genesis} RPC method; {@code appStateJson} is its {@code app_state} value.
 */
public record GenesisDoc(
    String chainId,
    long genesisTimeMillis,
    long initialHeight,
    List<Validator> validators,
    byte[] appStateJson,
    byte[] rawJson) {

  /** A genesis validator: Ed25519 public key (32 bytes), voting power and name. */
  public record Validator(byte[] pubKey, long power, String name) {}
}
