package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PippengerTest {
  private static final BigInteger TOP = BigInteger.ONE.shiftLeft(253).subtract(BigInteger.ONE);

  /**
   * Scalars whose signed recoding carries through many windows (runs of ones), the extremes, and
   * random ones, for counts that select different window widths: sum [s_j][j + 1]B minus the
   * reference [sum s_j·(j + 1) mod L]B must be the neutral element.
   */
  @Test
  void sumEqualsTheReferenceForEdgeAndRandomScalarsAtEveryWindowWidth() {
    Random rnd = new Random(13);
    for (int count : new int[] {1, 2, 3, 10, 40, 150, 600}) {
      List<BigInteger> scalars = new ArrayList<>();
      List<BigInteger> edges =
          List.of(
              BigInteger.ZERO,
              BigInteger.ONE,
              EdwardsReference.L.subtract(BigInteger.ONE),
              TOP,
              TOP.shiftRight(1),
              BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE),
              BigInteger.ONE.shiftLeft(252));
      for (int j = 0; j < count; j++) {
        scalars.add(
            j < edges.size() && rnd.nextBoolean()
                ? edges.get(j)
                : new BigInteger(rnd.nextBoolean() ? 128 : 253, rnd));
      }
      assertThat(sumMinusReference(scalars, scalars)).as("%d points", count).isTrue();
      List<BigInteger> spoiled = new ArrayList<>(scalars);
      spoiled.set(count - 1, scalars.get(count - 1).add(BigInteger.ONE).and(TOP));
      assertThat(sumMinusReference(spoiled, scalars))
          .as("%d points, one scalar off", count)
          .isFalse();
    }
  }

  /** Whether Pippenger's sum [s_j][j + 1]B equals the reference one for {@code reference}. */
  private static boolean sumMinusReference(List<BigInteger> scalars, List<BigInteger> reference) {
    int count = scalars.size();
    EdwardsPoint.Affine[] points = new EdwardsPoint.Affine[count + 1];
    long[][] words = new long[count + 1][];
    EdwardsReference.Point multiple = EdwardsReference.ZERO;
    BigInteger expected = BigInteger.ZERO;
    for (int j = 0; j < count; j++) {
      multiple = EdwardsReference.add(multiple, EdwardsReference.BASE);
      points[j] = EdwardsPoint.decode(EdwardsReference.encode(multiple));
      words[j] = words(scalars.get(j));
      expected = expected.add(reference.get(j).multiply(BigInteger.valueOf(j + 1)));
    }
    BigInteger negated = EdwardsReference.L.subtract(expected.mod(EdwardsReference.L));
    points[count] =
        EdwardsPoint.decode(
            EdwardsReference.encode(EdwardsReference.times(negated, EdwardsReference.BASE)));
    words[count] = words(BigInteger.ONE);
    return Pippenger.sum(points, words, count + 1).isNeutral();
  }

  private static long[] words(BigInteger v) {
    long[] w = new long[4];
    for (int i = 0; i < 4; i++) {
      w[i] = v.shiftRight(64 * i).longValue();
    }
    return w;
  }
}
