package io.peerz.cli;

import java.util.Collection;
import java.util.Optional;

/**
 * Edit distance for "did you mean" suggestions (a mistyped mnemonic word, an unknown command):
 * insertions, deletions, substitutions and swaps of two neighbouring letters each count one, as a
 * swap is the most common typing slip ("abuot" is one edit from "about", not two).
 */
final class EditDistance {
  private EditDistance() {}

  /** The optimal string alignment distance between {@code a} and {@code b}. */
  static int between(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int best = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          best = Math.min(best, d[i - 2][j - 2] + 1);
        }
        d[i][j] = best;
      }
    }
    return d[a.length()][b.length()];
  }

  /**
   * The candidate closest to {@code word} within {@code maxDistance}; among equally close ones the
   * one sharing the longest prefix with it (people mistype the end of a word more than its start),
   * then the first in the collection's order.
   */
  static Optional<String> closest(String word, Collection<String> candidates, int maxDistance) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    int bestPrefix = -1;
    for (String c : candidates) {
      int d = between(word, c);
      if (d > maxDistance) {
        continue;
      }
      int prefix = commonPrefix(word, c);
      if (d < bestDistance || (d == bestDistance && prefix > bestPrefix)) {
        best = c;
        bestDistance = d;
        bestPrefix = prefix;
      }
    }
    return Optional.ofNullable(best);
  }

  private static int commonPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }
}
