package dev.hoist.project;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Short durations for hoist.yml and flags: 500ms, 5s, 2m, 1h; a bare number is seconds. */
public final class Durations {
  private static final Pattern FORMAT = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)?");
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;
  private static final long M = 60 * S;
  private static final long H = 60 * M;

  private Durations() {}

  /**
   * Parses a positive duration.
   *
   * @throws IllegalArgumentException saying what was expected and what was found (usable as a user
   *     message)
   */
  public static Duration parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a duration like 5s or 500ms, found '" + text + "'");
    }
    long unit =
        switch (m.group(2) == null ? "s" : m.group(2)) {
          case "ms" -> MS;
          case "m" -> M;
          case "h" -> H;
          default -> S;
        };
    BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
    if (nanos.signum() == 0) {
      throw new IllegalArgumentException(
          "expected a duration greater than 0, found '" + text + "'");
    }
    try {
      // Round up so that a tiny positive value never becomes zero.
      return Duration.ofNanos(nanos.setScale(0, RoundingMode.CEILING).longValueExact());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "expected a duration shorter than 290 years, found '" + text + "'", e);
    }
  }

  /**
   * Prints a duration in the largest unit that shows it exactly, in a form {@link #parse} reads
   * back.
   */
  public static String format(Duration duration) {
    long nanos = duration.toNanos();
    for (long unit : new long[] {H, M, S, MS}) {
      if (nanos % unit == 0) {
        return nanos / unit + suffix(unit);
      }
    }
    return BigDecimal.valueOf(nanos)
            .divide(BigDecimal.valueOf(MS))
            .stripTrailingZeros()
            .toPlainString()
        + "ms";
  }

  private static String suffix(long unit) {
    return unit == H ? "h" : unit == M ? "m" : unit == S ? "s" : "ms";
  }
}
