package dev.hoist.services;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How an app's scheduled backups stand, as {@code hoist check} judges them from the data runner's
 * {@code status}: CRITICAL when a schedule is configured and no backup exists; WARNING when the
 * newest is older than 1.5 × the schedule's period (a run was missed), the last scheduled run
 * failed (e.g. the off-node copy), or the last drill failed; OK otherwise. The performance data is
 * the newest backup's age in seconds.
 */
public record BackupVerdict(State state, String message, OptionalLong ageSeconds) {
  /** Nagios's states a backup can be in. */
  public enum State {
    OK,
    WARNING,
    CRITICAL
  }

  /** The age after which the newest backup is stale: 1.5 × the schedule's longest gap. */
  public static Duration staleAfter(Duration period) {
    return period.multipliedBy(3).dividedBy(2);
  }

  /**
   * The verdict on {@code status} (hoist-data's status JSON) for a schedule whose longest gap is
   * {@code period}.
   */
  public static BackupVerdict judge(JsonNode status, Duration period, Instant now) {
    Optional<Instant> newest = Optional.empty();
    for (JsonNode b : status.path("backups")) {
      Optional<Instant> created = instant(b.path("created").asText(""));
      if (created.isPresent() && (newest.isEmpty() || created.get().isAfter(newest.get()))) {
        newest = created;
      }
    }
    if (newest.isEmpty()) {
      String last = status.path("last_scheduled").path("error").asText("");
      return new BackupVerdict(
          State.CRITICAL,
          "no backup on the node"
              + (last.isEmpty()
                  ? (status.path("configured").asBoolean(false)
                      ? " yet; the schedule has not run"
                      : "; deploy to install the schedule, or run 'hoist backup'")
                  : "; the last scheduled run failed: " + firstLine(last)),
          OptionalLong.empty());
    }
    Duration age = Duration.between(newest.get(), now);
    if (age.isNegative()) {
      age = Duration.ZERO;
    }
    State state = State.OK;
    List<String> why = new ArrayList<>();
    why.add("newest backup " + Ages.of(age) + " old");
    if (age.compareTo(staleAfter(period)) > 0) {
      state = State.WARNING;
      why.set(
          0,
          "newest backup "
              + Ages.of(age)
              + " old, more than 1.5 × the schedule's "
              + Ages.of(period));
    }
    JsonNode scheduled = status.path("last_scheduled");
    JsonNode drill = status.path("last_drill");
    boolean drillFailed = drill.isObject() && !drill.path("ok").asBoolean(false);
    if (scheduled.isObject()
        && !scheduled.path("ok").asBoolean(true)
        && !(drillFailed && scheduled.path("error").asText("").startsWith("drill failed"))) {
      state = State.WARNING;
      why.add("the last scheduled run failed: " + firstLine(scheduled.path("error").asText("")));
    }
    if (drillFailed) {
      state = State.WARNING;
      why.add("the last drill failed: " + firstLine(drill.path("error").asText("")));
    } else if (drill.isObject()) {
      why.add("last drill ok");
    }
    return new BackupVerdict(state, String.join("; ", why), OptionalLong.of(age.toSeconds()));
  }

  /** {@code backup_age=SECONDSs;WARN} for the plugin's performance data. */
  public static String perfData(long ageSeconds, Duration period) {
    return "backup_age=" + ageSeconds + "s;" + staleAfter(period).toSeconds();
  }

  private static Optional<Instant> instant(String text) {
    try {
      return text.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String firstLine(String text) {
    String line = text.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
