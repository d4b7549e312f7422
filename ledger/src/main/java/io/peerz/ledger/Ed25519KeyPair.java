package io.peerz.ledger;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * An Ed25519 key pair: the 32-byte private seed and the 32-byte public key. toString never shows
 * the private key.
 */
public record Ed25519KeyPair(byte[] privateKey, byte[] publicKey) {

  /** Checks both lengths and copies the arrays so later changes by the caller do not leak in. */
  public Ed25519KeyPair {
    if (privateKey == null || privateKey.length != Ed25519.KEY_LENGTH) {
      throw new IllegalArgumentException("Ed25519 private key must be 32 bytes");
    }
    if (publicKey == null || publicKey.length != Ed25519.KEY_LENGTH) {
      throw new IllegalArgumentException("Ed25519 public key must be 32 bytes");
    }
    privateKey = privateKey.clone();
    publicKey = publicKey.clone();
  }

  /** A new random key pair. */
  public static Ed25519KeyPair generate(SecureRandom random) {
    byte[] seed = new byte[Ed25519.KEY_LENGTH];
    random.nextBytes(seed);
    return fromSeed(seed);
  }

  /** The key pair of a 32-byte seed. */
  public static Ed25519KeyPair fromSeed(byte[] seed) {
    if (seed == null || seed.length != Ed25519.KEY_LENGTH) {
      throw new IllegalArgumentException(
          "Ed25519 seed must be 32 bytes, got " + (seed == null ? "null" : seed.length));
    }
    byte[] pub = new byte[Ed25519.KEY_LENGTH];
    org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pub, 0);
    return new Ed25519KeyPair(seed, pub);
  }

  /** The 32-byte private seed (a copy). */
  @Override
  public byte[] privateKey() {
    return privateKey.clone();
  }

  /** The 32-byte public key (a copy). */
  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** Signs a message; 64-byte signature. */
  public byte[] sign(byte[] message) {
    byte[] sig = new byte[Ed25519.SIGNATURE_LENGTH];
    org.bouncycastle.math.ec.rfc8032.Ed25519.sign(
        privateKey, 0, publicKey, 0, message, 0, message.length, sig, 0);
    return sig;
  }

  /** This key's account address. */
  public Address address() {
    return Address.of(publicKey);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ed25519KeyPair other
        && Arrays.equals(privateKey, other.privateKey)
        && Arrays.equals(publicKey, other.publicKey);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return "Ed25519KeyPair[publicKey=" + Hex.encode(publicKey) + ", address=" + address() + "]";
  }
}
