package dev.hoist.cli;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * Progress of a bundle going by: bytes, MB/s and the part it is in. On a terminal one line redrawn
 * in place (at most every 200 ms); otherwise a plain line when a part starts and every 30 s, so
 * logs stay short. Silent with --json.
 */
final class TransferProgress implements AutoCloseable {
  private static final long REDRAW_NANOS = 200_000_000L;
  private static final long PLAIN_NANOS = 30_000_000_000L;

  private final Console console;
  private final String verb;
  private final OptionalLong total;
  private final boolean quiet;
  private final long start = System.nanoTime();
  private long bytes;
  private String part = "";
  private long drawn = start;
  private boolean lineOpen;

  /** {@code verb}: what is happening ("backing up"); {@code total}: the size, when known. */
  TransferProgress(Console console, String verb, OptionalLong total, boolean quiet) {
    this.console = console;
    this.verb = verb;
    this.total = total;
    this.quiet = quiet;
  }

  synchronized void part(String name) {
    part = name;
    if (!quiet && !console.live()) {
      console.progress(verb + ": " + name + " (" + mb(bytes) + " so far)");
      drawn = System.nanoTime();
    } else {
      draw(true);
    }
  }

  synchronized void bytes(long now) {
    bytes = now;
    draw(false);
  }

  /** A message of its own (a warning from the node, the restore's phases) between redraws. */
  synchronized void note(String text) {
    if (quiet) {
      return;
    }
    clear();
    console.progress(text);
    draw(true);
  }

  private void draw(boolean force) {
    if (quiet) {
      return;
    }
    long t = System.nanoTime();
    if (console.live()) {
      if (force || t - drawn >= REDRAW_NANOS) {
        console.progressRaw("\r\u001b[K" + line(t));
        lineOpen = true;
        drawn = t;
      }
    } else if (t - drawn >= PLAIN_NANOS) {
      console.progress(line(t));
      drawn = t;
    }
  }

  String line(long t) {
    double seconds = Math.max(1e-3, (t - start) / 1e9);
    String done =
        total.isPresent() && total.getAsLong() > 0
            ? String.format(
                Locale.ROOT,
                "%s / %s (%d%%)",
                mb(bytes),
                mb(total.getAsLong()),
                Math.min(100, bytes * 100 / total.getAsLong()))
            : mb(bytes);
    return String.format(
        Locale.ROOT,
        "%s: %s  %.1f MB/s  %s",
        verb,
        done,
        bytes / 1e6 / seconds,
        part.isEmpty() ? "" : console.dim(part));
  }

  private void clear() {
    if (lineOpen) {
      console.progressRaw("\r\u001b[K");
      lineOpen = false;
    }
  }

  static String mb(long bytes) {
    return bytes < 1000
        ? bytes + " B"
        : bytes < 1_000_000
            ? String.format(Locale.ROOT, "%.1f kB", bytes / 1e3)
            : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  /** Seconds since the start. */
  double seconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  @Override
  public synchronized void close() {
    clear();
  }
}
