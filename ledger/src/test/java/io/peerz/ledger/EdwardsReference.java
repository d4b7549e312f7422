package io.peerz.ledger;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Affine edwards25519 arithmetic over {@link BigInteger}, slow and independent of the code under
 * test, to build the points and signatures that Ed25519 libraries do not make: keys and nonces with
 * a small-order component, non-canonical encodings.
 */
final class EdwardsReference {
  static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));
  static final BigInteger L =
      BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));
  static final BigInteger D =
      BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
  private static final BigInteger SQRT_M1 =
      BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);

  /** The neutral element. */
  static final Point ZERO = new Point(BigInteger.ZERO, BigInteger.ONE);

  /** The base point. */
  static final Point BASE =
      decode(Hex.decode("5866666666666666666666666666666666666666666666666666666666666666"));

  /**
   * The canonical encodings of the eight points of small order: the neutral element, the point of
   * order 2, the two of order 4 and the four of order 8.
   */
  static final String[] TORSION = {
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
  };

  private EdwardsReference() {}

  /** An affine point. */
  record Point(BigInteger x, BigInteger y) {}

  /** p + q by the complete affine formulas for a = -1. */
  static Point add(Point p, Point q) {
    BigInteger t = D.multiply(p.x).multiply(q.x).multiply(p.y).multiply(q.y).mod(P);
    BigInteger x = p.x.multiply(q.y).add(p.y.multiply(q.x));
    BigInteger y = p.y.multiply(q.y).add(p.x.multiply(q.x));
    return new Point(
        x.multiply(BigInteger.ONE.add(t).modInverse(P)).mod(P),
        y.multiply(BigInteger.ONE.subtract(t).mod(P).modInverse(P)).mod(P));
  }

  /** [k]p by double-and-add, k ≥ 0. */
  static Point times(BigInteger k, Point p) {
    Point r = ZERO;
    for (int i = k.bitLength() - 1; i >= 0; i--) {
      r = add(r, r);
      if (k.testBit(i)) {
        r = add(r, p);
      }
    }
    return r;
  }

  /** The 32-byte encoding: y little endian, the low bit of x on top. */
  static byte[] encode(Point p) {
    byte[] e = littleEndian(p.y, 32);
    if (p.x.testBit(0)) {
      e[31] |= (byte) 0x80;
    }
    return e;
  }

  /** The point of an encoding, reading y mod p (so non-canonical y are accepted), or null. */
  static Point decode(byte[] e) {
    byte[] copy = e.clone();
    boolean sign = (copy[31] & 0x80) != 0;
    copy[31] &= 0x7F;
    BigInteger y = fromLittleEndian(copy).mod(P);
    BigInteger yy = y.multiply(y);
    BigInteger u = yy.subtract(BigInteger.ONE).mod(P);
    BigInteger v = D.multiply(yy).add(BigInteger.ONE).mod(P);
    BigInteger xx = u.multiply(v.modInverse(P)).mod(P);
    BigInteger x = xx.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
    if (!x.multiply(x).mod(P).equals(xx)) {
      x = x.multiply(SQRT_M1).mod(P);
    }
    if (!x.multiply(x).mod(P).equals(xx) || (x.signum() == 0 && sign)) {
      return null;
    }
    return x.testBit(0) == sign ? new Point(x, y) : new Point(P.subtract(x).mod(P), y);
  }

  /** The clamped secret scalar of an RFC 8032 private seed. */
  static BigInteger secretScalar(byte[] seed) {
    byte[] h = sha512(seed);
    byte[] a = java.util.Arrays.copyOf(h, 32);
    a[0] &= (byte) 248;
    a[31] &= 127;
    a[31] |= 64;
    return fromLittleEndian(a);
  }

  /**
   * The signature R || S with R = encodedR, S = r + k·a mod L, k = SHA-512(R || A || M) mod L: a
   * signature that holds in the cofactored equation when R = [r]B + (small order) and A = [a]B +
   * (small order).
   */
  static byte[] sign(BigInteger a, byte[] encodedA, BigInteger r, byte[] encodedR, byte[] m) {
    byte[] input = new byte[64 + m.length];
    System.arraycopy(encodedR, 0, input, 0, 32);
    System.arraycopy(encodedA, 0, input, 32, 32);
    System.arraycopy(m, 0, input, 64, m.length);
    BigInteger k = fromLittleEndian(sha512(input)).mod(L);
    BigInteger s = r.add(k.multiply(a)).mod(L);
    byte[] sig = new byte[64];
    System.arraycopy(encodedR, 0, sig, 0, 32);
    System.arraycopy(littleEndian(s, 32), 0, sig, 32, 32);
    return sig;
  }

  static byte[] littleEndian(BigInteger v, int length) {
    byte[] e = new byte[length];
    for (int i = 0; i < length; i++) {
      e[i] = v.shiftRight(8 * i).byteValue();
    }
    return e;
  }

  static BigInteger fromLittleEndian(byte[] e) {
    BigInteger v = BigInteger.ZERO;
    for (int i = e.length - 1; i >= 0; i--) {
      v = v.shiftLeft(8).or(BigInteger.valueOf(e[i] & 0xFF));
    }
    return v;
  }

  private static byte[] sha512(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-512").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
