package dev.hoist.server.run;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * The server's counters, written out in Prometheus' text format (version 0.0.4): deploys by result,
 * deploy durations as a histogram, the queue per project, webhook rejections by reason.
 */
public final class Metrics {
  /** Upper bounds of the duration buckets, in seconds: a deploy takes seconds to minutes. */
  static final double[] BUCKETS = {1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800};

  private final Map<String, Long> deploys = new TreeMap<>();
  private final Map<String, Long> rejections = new TreeMap<>();
  private final long[] buckets = new long[BUCKETS.length];
  private long durationCount;
  private double durationSum;

  /** A deploy ended with {@code result} (succeeded, failed, superseded, interrupted). */
  public synchronized void deploy(String project, String result) {
    deploys.merge(labels("project", project, "result", result), 1L, Long::sum);
  }

  /** A deploy that ran took {@code took}. */
  public synchronized void duration(Duration took) {
    double seconds = took.toMillis() / 1000.0;
    for (int i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]) {
        buckets[i]++;
      }
    }
    durationCount++;
    durationSum += seconds;
  }

  /** A webhook was refused: reason is "signature", "too_large", "malformed", "unknown_project". */
  public synchronized void rejection(String project, String reason) {
    rejections.merge(labels("project", project, "reason", reason), 1L, Long::sum);
  }

  /** Everything, in the text format; {@code queued} says how many wait for each project. */
  public synchronized String text(Iterable<String> projects, ToIntFunction<String> queued) {
    StringBuilder out = new StringBuilder();
    head(out, "hoist_deploys_total", "counter", "Deploys that ended, by project and result.");
    deploys.forEach((labels, n) -> line(out, "hoist_deploys_total" + labels, n));
    head(
        out,
        "hoist_deploy_duration_seconds",
        "histogram",
        "How long deploys took from start to end.");
    for (int i = 0; i < BUCKETS.length; i++) {
      line(out, "hoist_deploy_duration_seconds_bucket{le=\"" + le(BUCKETS[i]) + "\"}", buckets[i]);
    }
    line(out, "hoist_deploy_duration_seconds_bucket{le=\"+Inf\"}", durationCount);
    out.append("hoist_deploy_duration_seconds_sum ").append(durationSum).append('\n');
    line(out, "hoist_deploy_duration_seconds_count", durationCount);
    head(out, "hoist_queue_length", "gauge", "Deploys waiting behind the running one.");
    for (String project : projects) {
      line(out, "hoist_queue_length" + labels("project", project), queued.applyAsInt(project));
    }
    head(
        out,
        "hoist_webhook_rejections_total",
        "counter",
        "Webhook requests refused, by project and reason.");
    rejections.forEach((labels, n) -> line(out, "hoist_webhook_rejections_total" + labels, n));
    return out.toString();
  }

  private static void head(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void line(StringBuilder out, String series, long value) {
    out.append(series).append(' ').append(value).append('\n');
  }

  private static String le(double bound) {
    return bound == Math.rint(bound) ? String.valueOf((long) bound) : String.valueOf(bound);
  }

  private static String labels(String... pairs) {
    StringBuilder s = new StringBuilder("{");
    for (int i = 0; i < pairs.length; i += 2) {
      if (i > 0) {
        s.append(',');
      }
      s.append(pairs[i]).append("=\"").append(escape(pairs[i + 1])).append('"');
    }
    return s.append('}').toString();
  }

  // The format's label escapes: backslash, double quote, line feed.
  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
