package dev.hoist.node;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * With {@code HOIST_TRACE=1}, prints when each stage of a command happens, in milliseconds since
 * the process started, to stderr: where a slow no-op spends its time, without a profiler.
 */
public final class Trace {
  private static final boolean ON = System.getenv("HOIST_TRACE") != null;

  // Reading the process start time costs a /proc read: only when tracing. Without one, counting
  // from the class's loading (the first mark) is the best there is.
  @SuppressWarnings("TimeInStaticInitializer")
  private static final Instant START =
      ON ? ProcessHandle.current().info().startInstant().orElse(Instant.now()) : Instant.EPOCH;

  private Trace() {}

  public static void mark(String what) {
    if (ON) {
      long ms = Duration.between(START, Instant.now()).toMillis();
      System.err.println(String.format(Locale.ROOT, "trace %6d ms  %s", ms, what));
    }
  }
}
