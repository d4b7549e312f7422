package io.peerz.cli;

import io.peerz.ledger.Ed25519KeyPair;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An extended Ed25519 private key of SLIP-0010: the 32-byte key and its 32-byte chain code. Ed25519
 * has hardened children only, so {@link #child} takes the index below 2^31 and hardens it.
 */
final class Slip10Key {
  static final int HARDENED = 0x80000000;
  private static final byte[] CURVE =
      "ed25519 seed".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final byte[] key;
  private final byte[] chainCode;

  private Slip10Key(byte[] i) {
    this.key = Arrays.copyOfRange(i, 0, 32);
    this.chainCode = Arrays.copyOfRange(i, 32, 64);
    Arrays.fill(i, (byte) 0);
  }

  /** The master key of a seed (16 to 64 bytes): HMAC-SHA512 keyed with "ed25519 seed". */
  static Slip10Key master(byte[] seed) {
    if (seed.length < 16 || seed.length > 64) {
      throw new IllegalArgumentException("a SLIP-0010 seed is 16 to 64 bytes, got " + seed.length);
    }
    return new Slip10Key(hmacSha512(CURVE, seed));
  }

  /** The hardened child {@code index'}: HMAC-SHA512(chain code, 0x00 || key || index + 2^31). */
  Slip10Key child(int index) {
    if (index < 0) {
      throw new IllegalArgumentException(
          "a hardened index is 0 to 2147483647 (2^31 is added), got " + index);
    }
    byte[] data = ByteBuffer.allocate(37).put((byte) 0).put(key).putInt(index | HARDENED).array();
    try {
      return new Slip10Key(hmacSha512(chainCode, data));
    } finally {
      Arrays.fill(data, (byte) 0);
    }
  }

  /** The key at {@code path} below this one. */
  Slip10Key derive(HdPath path) {
    Slip10Key k = this;
    for (int index : path.indices()) {
      k = k.child(index);
    }
    return k;
  }

  byte[] privateKey() {
    return key.clone();
  }

  byte[] chainCode() {
    return chainCode.clone();
  }

  /** The Ed25519 key pair whose 32-byte private seed is this key. */
  Ed25519KeyPair keyPair() {
    return Ed25519KeyPair.fromSeed(key);
  }

  @Override
  public String toString() {
    return "Slip10Key[private]";
  }

  private static byte[] hmacSha512(byte[] macKey, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA512");
      mac.init(new SecretKeySpec(macKey, "HmacSHA512"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA512 is part of every Java 17 runtime", e);
    }
  }
}
