package dev.hoist.project;

import java.time.Duration;
import java.util.List;

/**
 * {@code build:}: shell commands run one after another in a clean copy of the project before it is
 * packaged (asset compilation and the like), as a user other than root; the release is made from
 * the tree they leave. Each command carries where it is written, so a failure names hoist.yml's
 * line; the whole build is killed after {@code timeout}.
 */
public record BuildSpec(List<Command> commands, Duration timeout) {
  /** How long a build may run unless {@code build.timeout} says otherwise. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);

  /** One shell command, run by {@code /bin/sh -c}, and its place in hoist.yml. */
  public record Command(String text, String file, int line, int column) {
    /** {@code hoist.yml:12:5} */
    public String where() {
      return file + ":" + line + ":" + column;
    }
  }

  public BuildSpec {
    commands = List.copyOf(commands);
  }

  /** No build: the project ships as it is. */
  public static BuildSpec none() {
    return new BuildSpec(List.of(), DEFAULT_TIMEOUT);
  }

  public boolean isEmpty() {
    return commands.isEmpty();
  }
}
