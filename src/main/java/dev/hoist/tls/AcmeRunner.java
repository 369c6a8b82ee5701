package dev.hoist.tls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import dev.hoist.node.Node;
import dev.hoist.stack.AppLayout;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs the node's ACME runner (hoist-acme, which drives certbot) once and reads its one-line JSON
 * answer. The runner decides itself whether certbot must run, and keeps the old certificate on
 * failure.
 */
public final class AcmeRunner {
  /** certbot's own limit is 300 s; the runner adds the reload. */
  static final Duration TIMEOUT = Duration.ofMinutes(6);

  /** What the runner did: issued, renewed, unchanged, skipped (backoff) or failed. */
  public record Outcome(
      String action,
      String message,
      List<String> names,
      Optional<Instant> notAfter,
      Optional<Instant> nextAttempt) {
    public boolean gotOne() {
      return action.equals("issued") || action.equals("renewed");
    }

    public boolean failed() {
      return action.equals("failed") || action.equals("error");
    }
  }

  /** How far past the backoff and the renewal window the run may go. */
  public enum Urgency {
    /** Respect the backoff of earlier failures; renew only when due. */
    WHEN_DUE,
    /** Try now even after a recent failure. */
    NOW,
    /** Renew even a fresh certificate. */
    FORCE
  }

  private AcmeRunner() {}

  public static Outcome ensure(Node node, AppLayout layout, Urgency urgency)
      throws IOException, InterruptedException {
    List<String> argv =
        new ArrayList<>(List.of("/usr/bin/python3", "-I", AppLayout.ACME_RUNNER, "ensure"));
    argv.add(layout.tlsDir());
    switch (urgency) {
      case NOW -> argv.add("--now");
      case FORCE -> argv.add("--force");
      case WHEN_DUE -> {}
    }
    ExecResult result = node.exec(ExecRequest.of(argv, TIMEOUT));
    return parse(result.stdout(), result.exitCode(), result.stderr());
  }

  static Outcome parse(String stdout, int exit, String stderr) {
    String line = "";
    for (String l : stdout.split("\n")) {
      if (l.startsWith("{")) {
        line = l;
      }
    }
    try {
      JsonNode j = new ObjectMapper().readTree(line.isEmpty() ? "{}" : line);
      if (!j.has("action")) {
        String detail = stderr.strip().isEmpty() ? stdout.strip() : stderr.strip();
        return new Outcome(
            "error",
            "the ACME runner ended without an answer (exit "
                + exit
                + ")"
                + (detail.isEmpty() ? "" : ": " + lastLines(detail, 5)),
            List.of(),
            Optional.empty(),
            Optional.empty());
      }
      List<String> names = new ArrayList<>();
      j.path("names").forEach(n -> names.add(n.asText()));
      return new Outcome(
          j.path("action").asText(),
          j.path("message").asText(""),
          names,
          epoch(j.path("not_after")),
          epoch(j.path("next_attempt")));
    } catch (IOException e) {
      return new Outcome(
          "error",
          "the ACME runner's answer does not parse: " + e.getMessage(),
          List.of(),
          Optional.empty(),
          Optional.empty());
    }
  }

  private static Optional<Instant> epoch(JsonNode n) {
    return n.isNumber() ? Optional.of(Instant.ofEpochSecond(n.asLong())) : Optional.empty();
  }

  private static String lastLines(String text, int n) {
    String[] lines = text.split("\n");
    return String.join(
        " / ", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - n), lines.length));
  }
}
