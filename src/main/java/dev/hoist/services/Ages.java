package dev.hoist.services;

import java.time.Duration;

/** Ages and periods as people read them: 45s, 12m, 5h, 3d. */
public final class Ages {
  private Ages() {}

  /** The largest whole unit: under two minutes in seconds, under two hours in minutes, ... */
  public static String of(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 2 * 3600) {
      return s / 60 + "m";
    }
    if (s < 2 * 86400) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }
}
