package io.peerz.ledger;

import java.security.SecureRandom;

/**
 * An Ed25519 key pair: the 32-byte private seed and the 32-byte public key. toString never shows
 * the private key.
 */
public record Ed25519KeyPair(byte[] privateKey, byte[] publicKey) {

  /** A new random key pair. */
  public static Ed25519KeyPair generate(SecureRandom random) {
    throw new UnsupportedOperationException("contract");
  }

  /** The key pair of a 32-byte seed. */
  public static Ed25519KeyPair fromSeed(byte[] seed) {
    throw new UnsupportedOperationException("contract");
  }

  /** Signs a message; 64-byte signature. */
  public byte[] sign(byte[] message) {
    throw new UnsupportedOperationException("contract");
  }

  /** This key's account address. */
  public Address address() {
    return Address.of(publicKey);
  }
}
