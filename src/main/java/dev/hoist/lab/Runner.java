package dev.hoist.lab;

import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import dev.hoist.node.LocalNode;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs host tools from argument lists (never through a shell) on this machine, the way every Hoist
 * command runs locally; a failure becomes a LabException that names the command and carries its
 * stderr.
 */
final class Runner {
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  /**
   * The PATH tools are looked up in, and what node processes get instead of the invoking user's
   * environment.
   */
  static final Map<String, String> CLEAN_ENV =
      Map.of(
          "PATH",
          "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "LANG",
          "C.UTF-8");

  private final LocalNode local = new LocalNode();

  /** Runs {@code argv}; returns its stdout. */
  String run(List<String> argv) throws LabException, InterruptedException {
    return run(ExecRequest.of(argv, TIMEOUT));
  }

  /** Runs the request; returns its stdout, or throws with the command, exit code and stderr. */
  String run(ExecRequest request) throws LabException, InterruptedException {
    ExecResult r = exec(request);
    if (!r.ok()) {
      throw new LabException(
          describe(request.argv())
              + " failed (exit "
              + r.exitCode()
              + ")"
              + (r.stderr().isBlank() ? "" : ": " + r.stderr().strip()));
    }
    return r.stdout();
  }

  /**
   * Runs {@code argv} for a clean-up step whose target may already be gone; true when it succeeded.
   */
  boolean attempt(List<String> argv) throws InterruptedException {
    try {
      return exec(ExecRequest.of(argv, TIMEOUT)).ok();
    } catch (LabException e) {
      return false;
    }
  }

  private ExecResult exec(ExecRequest request) throws LabException, InterruptedException {
    try {
      return local.exec(
          new ExecRequest(
              resolved(request.argv()), request.stdin(), request.timeout(), request.onLine()));
    } catch (IOException e) {
      throw new LabException("cannot run " + describe(request.argv()) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Starts {@code argv} in a session of its own (setsid), stdin from /dev/null and output appended
   * to {@code log}, so neither Ctrl-C in the invoking terminal nor this JVM exiting reaches it.
   * Returns its pid.
   */
  long startDetached(List<String> argv, Path log) throws LabException {
    ProcessBuilder pb =
        new ProcessBuilder(resolved(prepend("setsid", argv)))
            .redirectInput(Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(Redirect.appendTo(log.toFile()))
            .redirectErrorStream(true)
            .directory(Path.of("/").toFile());
    pb.environment().clear();
    pb.environment().putAll(CLEAN_ENV);
    try {
      // The JVM's child is never a process-group leader, so setsid execs in place: this pid is
      // argv's.
      return pb.start().pid();
    } catch (IOException e) {
      throw new LabException("cannot start " + describe(argv) + ": " + e.getMessage(), e);
    }
  }

  /**
   * The tool's absolute path, searched in the clean PATH: the invoking shell's PATH may lack the
   * sbin dirs.
   */
  static Optional<Path> which(String tool) {
    if (tool.contains("/")) {
      return Optional.of(Path.of(tool));
    }
    return Stream.of(CLEAN_ENV.get("PATH").split(":"))
        .map(dir -> Path.of(dir, tool))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * {@code argv} with its tool resolved by {@link #which}, left as it is when not found (start then
   * says so).
   */
  static List<String> resolved(List<String> argv) {
    return prepend(
        which(argv.get(0)).map(Path::toString).orElse(argv.get(0)), argv.subList(1, argv.size()));
  }

  static String describe(List<String> argv) {
    return "`" + String.join(" ", argv) + "`";
  }

  private static List<String> prepend(String first, List<String> rest) {
    return Stream.concat(Stream.of(first), rest.stream()).toList();
  }
}
