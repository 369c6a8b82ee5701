package dev.hoist.project;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads the {@code health} section; each key falls back to {@link HealthSpec#defaults()}. */
final class HealthReader {
  private static final List<String> KEYS =
      List.of(
          "path",
          "expect",
          "contains",
          "timeout",
          "interval",
          "healthy",
          "unhealthy",
          "deadline",
          "start_period");

  private final YamlNodes nodes;

  HealthReader(YamlNodes nodes) {
    this.nodes = nodes;
  }

  HealthSpec read(Node node) {
    HealthSpec d = HealthSpec.defaults();
    Optional<Fields> found = nodes.fields(node, "health", KEYS, Set.of());
    if (found.isEmpty()) {
      return d;
    }
    Fields f = found.get();
    String path =
        f.get("path")
            .flatMap(n -> nodes.parse(n, f.key("path"), "a URL path", HealthReader::path))
            .orElse(d.path());
    int expect =
        f.get("expect")
            .flatMap(n -> nodes.integer(n, f.key("expect"), 100, 599))
            .orElse(d.expect());
    Optional<String> contains =
        f.get("contains")
            .flatMap(n -> nodes.text(n, f.key("contains"), "text the page must contain"))
            .filter(s -> !s.isEmpty());
    Duration timeout = duration(f, "timeout", d.timeout());
    Duration interval = duration(f, "interval", d.interval());
    int healthy =
        f.get("healthy")
            .flatMap(n -> nodes.integer(n, f.key("healthy"), 1, 100))
            .orElse(d.healthy());
    int unhealthy =
        f.get("unhealthy")
            .flatMap(n -> nodes.integer(n, f.key("unhealthy"), 1, 100))
            .orElse(d.unhealthy());
    Duration deadline = duration(f, "deadline", d.deadline());
    // A deadline shorter than one request could never see a slow first answer.
    if (deadline.compareTo(timeout) < 0) {
      nodes.problem(
          f.get("deadline").or(() -> f.get("timeout")).orElse(node),
          f.key("deadline"),
          "the deadline ("
              + Durations.format(deadline)
              + ") is shorter than one request's timeout ("
              + Durations.format(timeout)
              + ")",
          "raise health.deadline or lower health.timeout");
    }
    Duration startPeriod = duration(f, "start_period", deadline);
    // The deadline bounds every check: a longer start period could never end.
    if (startPeriod.compareTo(deadline) > 0) {
      nodes.problem(
          f.get("start_period").orElse(node),
          f.key("start_period"),
          "the start period ("
              + Durations.format(startPeriod)
              + ") is longer than the deadline ("
              + Durations.format(deadline)
              + "), which ends every check",
          "raise health.deadline or lower health.start_period");
    }
    return new HealthSpec(
        path, expect, contains, timeout, interval, healthy, unhealthy, deadline, startPeriod);
  }

  private Duration duration(Fields f, String name, Duration fallback) {
    return f.get(name).flatMap(n -> nodes.duration(n, f.key(name))).orElse(fallback);
  }

  private static String path(String text) {
    if (!text.startsWith("/")
        || text.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw new InvalidValue(
          "expected a URL path starting with '/', found '" + text + "'", "e.g. 'path: /healthz'");
    }
    return text;
  }
}
