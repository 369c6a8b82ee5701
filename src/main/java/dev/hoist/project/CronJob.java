package dev.hoist.project;

import java.time.Duration;
import java.util.List;

/**
 * A scheduled job from hoist.yml's {@code cron:}: its command runs as the app user, in the app's
 * environment, on one node of the environment, never overlapping itself, killed after {@code
 * timeout}.
 */
public record CronJob(String name, CronSchedule schedule, List<String> command, Duration timeout) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

  public CronJob {
    command = List.copyOf(command);
  }
}
