package io.peerz.cli;

import java.util.Collection;
import java.util.Optional;

/**
 * Levenshtein distance, for "did you mean" suggestions: a mistyped mnemonic word, an unknown
 * command.
 */
final class EditDistance {
  private EditDistance() {}

  /** Insertions, deletions and substitutions that turn {@code a} into {@code b}. */
  static int between(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
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
