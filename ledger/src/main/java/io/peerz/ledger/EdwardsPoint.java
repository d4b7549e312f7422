package io.peerz.ledger;

import java.math.BigInteger;
import org.bouncycastle.math.ec.rfc7748.X25519Field;

/**
 * A mutable point of edwards25519, the curve -x² + y² = 1 + d·x²·y² with d = -121665/121666 over
 * GF(2^255 - 19), in extended coordinates (X:Y:Z:T) with x = X/Z, y = Y/Z and x·y = T/Z, for {@link
 * Ed25519Batch}. The field elements are Bouncy Castle's {@link X25519Field} (ten signed limbs of 26
 * and 25 bits). The formulas are Hisil, Wong, Carter and Dawson, "Twisted Edwards curves revisited"
 * (2008), for a = -1; they are complete on this curve (a is a square and d is not), so adding a
 * point to itself or to the neutral element needs no special case.
 *
 * <p>Limb bounds: every input to a multiplication is a product, a decoded value, or the sum or
 * difference of two of those, which is what Bouncy Castle's own formulas feed it; anything wider is
 * carried first. Not thread-safe; an {@link Affine} is immutable and may be shared.
 */
final class EdwardsPoint {
  private static final BigInteger P =
      BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));
  private static final BigInteger CURVE_D =
      BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
  private static final int[] D = element(CURVE_D);
  private static final int[] D2 = element(CURVE_D.shiftLeft(1).mod(P));

  private final int[] x = X25519Field.create();
  private final int[] y = X25519Field.create();
  private final int[] z = X25519Field.create();
  private final int[] t = X25519Field.create();

  // Scratch for the formulas, one set per point so that points can be used from any thread.
  private final int[] a = X25519Field.create();
  private final int[] b = X25519Field.create();
  private final int[] c = X25519Field.create();
  private final int[] d = X25519Field.create();

  /** The neutral element (0, 1). */
  EdwardsPoint() {
    X25519Field.one(y);
    X25519Field.one(z);
  }

  /**
   * An affine point (x, y) with what a mixed addition reads: y + x, y - x, x·y and 2d·x·y. Its
   * negation (-x, y) swaps y + x with y - x and negates the products, so it is not stored.
   */
  static final class Affine {
    private final int[] x;
    private final int[] y;
    private final int[] xy = X25519Field.create();
    private final int[] ypx = X25519Field.create();
    private final int[] ymx = X25519Field.create();
    private final int[] xy2d = X25519Field.create();

    private Affine(int[] x, int[] y) {
      this.x = x;
      this.y = y;
      X25519Field.mul(x, y, xy);
      X25519Field.apm(y, x, ypx, ymx);
      X25519Field.mul(xy, D2, xy2d);
    }
  }

  /**
   * Decodes a 32-byte point encoding (RFC 8032 section 5.1.3): y in the low 255 bits, little
   * endian, and the low bit of x in the top bit. Null when y ≥ p (Bouncy Castle's {@code
   * checkPointVar}), when (y² - 1)/(d·y² + 1) has no square root, or when x = 0 with the sign bit
   * set (its {@code decodePointVar}): exactly the encodings Bouncy Castle's verification rejects at
   * decoding.
   */
  static Affine decode(byte[] encoding) {
    if (!canonical(encoding)) {
      return null;
    }
    int[] y = X25519Field.create();
    X25519Field.decode(encoding, 0, y);
    int[] u = X25519Field.create();
    int[] v = X25519Field.create();
    X25519Field.sqr(y, u);
    X25519Field.mul(D, u, v);
    X25519Field.subOne(u);
    X25519Field.addOne(v);
    int[] x = X25519Field.create();
    if (!X25519Field.sqrtRatioVar(u, v, x)) {
      return null;
    }
    X25519Field.normalize(x);
    int sign = (encoding[31] & 0x80) >>> 7;
    if (sign == 1 && X25519Field.isZeroVar(x)) {
      return null;
    }
    if ((x[0] & 1) != sign) {
      X25519Field.negate(x, x);
      X25519Field.normalize(x);
    }
    return new Affine(x, y);
  }

  /** Whether the 255-bit y of an encoding is below p = 2^255 - 19. */
  private static boolean canonical(byte[] encoding) {
    if ((encoding[31] & 0x7F) != 0x7F) {
      return true;
    }
    for (int i = 30; i > 0; i--) {
      if ((encoding[i] & 0xFF) != 0xFF) {
        return true;
      }
    }
    return (encoding[0] & 0xFF) < 0xED;
  }

  /**
   * Whether [8]p is the neutral element, that is whether p is one of the eight points of small
   * order. Bouncy Castle's {@code checkPointFullVar} rejects a public key whose y is 0, 1, p - 1 or
   * one of the two y of the points of order 8; among decodable canonical encodings those are
   * exactly the small-order points.
   */
  static boolean smallOrder(Affine p) {
    EdwardsPoint q = new EdwardsPoint();
    q.set(p, false);
    q.timesEight();
    return q.isNeutral();
  }

  /** This = p, or -p when {@code negate}. */
  void set(Affine p, boolean negate) {
    copy(p.x, x);
    copy(p.y, y);
    X25519Field.one(z);
    copy(p.xy, t);
    if (negate) {
      X25519Field.negate(x, x);
      X25519Field.negate(t, t);
    }
  }

  /** This = p. */
  void set(EdwardsPoint p) {
    copy(p.x, x);
    copy(p.y, y);
    copy(p.z, z);
    copy(p.t, t);
  }

  /** This += p, or -p when {@code negate}: 7 multiplications (mixed addition, Z2 = 1). */
  void add(Affine p, boolean negate) {
    int[] ypx = negate ? p.ymx : p.ypx;
    int[] ymx = negate ? p.ypx : p.ymx;
    X25519Field.apm(y, x, b, a);
    X25519Field.mul(a, ymx, a);
    X25519Field.mul(b, ypx, b);
    X25519Field.mul(t, p.xy2d, c);
    X25519Field.add(z, z, d);
    finishAdd(negate);
  }

  /** This += p: 9 multiplications (the 2d·T trick keeps it one above 8). */
  void add(EdwardsPoint p) {
    X25519Field.apm(y, x, b, a);
    X25519Field.apm(p.y, p.x, d, c);
    X25519Field.mul(a, c, a);
    X25519Field.mul(b, d, b);
    X25519Field.mul(t, p.t, c);
    X25519Field.mul(c, D2, c);
    X25519Field.mul(z, p.z, d);
    X25519Field.add(d, d, d);
    finishAdd(false);
  }

  /**
   * The common end of both additions, with A = (Y1 - X1)(Y2 - X2) in a, B = (Y1 + X1)(Y2 + X2) in
   * b, C = 2d·T1·T2 in c and D = 2·Z1·Z2 in d: E = B - A, F = D - C, G = D + C, H = B + A and X3 =
   * E·F, Y3 = G·H, T3 = E·H, Z3 = F·G. A negated C swaps F and G.
   */
  private void finishAdd(boolean negateC) {
    int[] e = x;
    int[] h = y;
    int[] f = z;
    int[] g = t;
    X25519Field.apm(b, a, h, e);
    if (negateC) {
      X25519Field.apm(d, c, f, g);
    } else {
      X25519Field.apm(d, c, g, f);
    }
    X25519Field.carry(f);
    X25519Field.carry(g);
    // e, h, f and g alias the outputs: compute into the scratch first.
    X25519Field.mul(e, f, a);
    X25519Field.mul(g, h, b);
    X25519Field.mul(e, h, c);
    X25519Field.mul(f, g, d);
    copy(a, x);
    copy(b, y);
    copy(c, t);
    copy(d, z);
  }

  /**
   * This = [2]this: 4 multiplications and 4 squarings. A = X², B = Y², C = 2Z², E = (X + Y)² - A -
   * B, G = B - A, F = G - C, H = -A - B and X3 = E·F, Y3 = G·H, T3 = E·H, Z3 = F·G.
   */
  void twice() {
    X25519Field.sqr(x, a);
    X25519Field.sqr(y, b);
    X25519Field.sqr(z, c);
    X25519Field.add(c, c, c);
    X25519Field.add(x, y, d);
    X25519Field.sqr(d, d);
    int[] e = d;
    X25519Field.sub(e, a, e);
    X25519Field.sub(e, b, e);
    X25519Field.carry(e);
    int[] h = x;
    X25519Field.add(a, b, h);
    X25519Field.negate(h, h);
    int[] g = y;
    X25519Field.sub(b, a, g);
    int[] f = c;
    X25519Field.sub(g, f, f);
    X25519Field.carry(f);
    X25519Field.mul(e, h, t);
    X25519Field.mul(f, g, z);
    X25519Field.mul(g, h, y);
    X25519Field.mul(e, f, x);
  }

  /** This = [8]this, which maps every point into the subgroup of prime order L. */
  void timesEight() {
    twice();
    twice();
    twice();
  }

  /** Whether this is the neutral element: X = 0 and Y = Z. */
  boolean isNeutral() {
    copy(x, a);
    X25519Field.normalize(a);
    X25519Field.sub(y, z, b);
    X25519Field.normalize(b);
    return X25519Field.isZeroVar(a) && X25519Field.isZeroVar(b);
  }

  private static void copy(int[] from, int[] to) {
    X25519Field.copy(from, 0, to, 0);
  }

  /** The field element of an integer in [0, p), through its 32-byte little-endian encoding. */
  private static int[] element(BigInteger value) {
    byte[] bigEndian = value.toByteArray();
    byte[] littleEndian = new byte[32];
    for (int i = 0; i < bigEndian.length && i < 32; i++) {
      littleEndian[i] = bigEndian[bigEndian.length - 1 - i];
    }
    int[] e = X25519Field.create();
    X25519Field.decode(littleEndian, 0, e);
    return e;
  }
}
