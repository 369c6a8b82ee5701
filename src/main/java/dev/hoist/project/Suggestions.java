package dev.hoist.project;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Finds the valid word a user probably meant, for "did you mean" hints. */
public final class Suggestions {
  private static final int MAX_DISTANCE = 2;

  private Suggestions() {}

  /**
   * The candidate closest to {@code word} by edit distance (at most 2, ties go to the earlier
   * candidate), else the only candidate that is a prefix of it or that it is a prefix of.
   */
  public static Optional<String> closest(String word, Collection<String> candidates) {
    String lower = word.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = MAX_DISTANCE + 1;
    for (String candidate : candidates) {
      int d = distance(lower, candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    if (best != null) {
      return Optional.of(best);
    }
    List<String> prefixed =
        candidates.stream()
            .filter(c -> !lower.isEmpty())
            .filter(
                c ->
                    c.toLowerCase(Locale.ROOT).startsWith(lower)
                        || lower.startsWith(c.toLowerCase(Locale.ROOT)))
            .toList();
    return prefixed.size() == 1 ? Optional.of(prefixed.getFirst()) : Optional.empty();
  }

  /** "did you mean 'x'?", or the full list of valid keys when nothing is close. */
  static String unknownKeyHint(String word, Collection<String> valid) {
    return closest(word, valid)
        .map(c -> "did you mean '" + c + "'?")
        .orElse("valid keys here are: " + String.join(", ", valid));
  }

  /**
   * Optimal string alignment distance: Levenshtein plus adjacent transpositions, the commonest
   * typo.
   */
  static int distance(String a, String b) {
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
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
