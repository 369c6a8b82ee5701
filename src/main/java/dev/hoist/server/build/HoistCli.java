package dev.hoist.server.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.node.BoundedLines;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code hoist deploy} and {@code hoist rollback} run as the CLI runs them (the same code, its
 * environment lock both ways, its rescue), in a child JVM from this one's classpath: progress lines
 * (stderr) into the pipeline's log, the {@code --json} report (stdout) read for each node's
 * outcome.
 */
final class HoistCli {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<String> java;

  HoistCli(List<String> java) {
    this.java = List.copyOf(java);
  }

  /**
   * This JVM's java running hoist's jar: the one jar on the class path (the installed server), else
   * the {@code hoist.jar} property (a build tree: target/hoist.jar).
   */
  static HoistCli thisJvm() {
    Path bin = Path.of(System.getProperty("java.home"), "bin", "java");
    String classPath = System.getProperty("java.class.path");
    String jar =
        classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)
            ? classPath
            : System.getProperty("hoist.jar", "target/hoist.jar");
    return new HoistCli(
        launcherCommand(bin, Path.of(jar).toAbsolutePath(), Runtime.version().feature()));
  }

  /**
   * The command line the {@code ./hoist} launcher starts hoist with: its JVM flags (a short-lived
   * CLI: C1 only, the serial GC) and the class-data cache next to the jar when there is one ({@code
   * hoist.aot} on JDK 25+, {@code hoist.jsa} before), which saves about a second of start per
   * deploy. A cache that does not match the jar is ignored by the JVM (quietly, the logs off), so a
   * missing or stale one only costs that second back. The child never writes a cache: the jar's
   * directory may not be the server user's.
   */
  static List<String> launcherCommand(Path java, Path jar, int javaMajor) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xss512k",
                "-XX:-UsePerfData"));
    String base = jar.getFileName().toString().replaceFirst("\\.jar$", "");
    if (javaMajor >= 25) {
      Path aot = jar.resolveSibling(base + ".aot");
      if (Files.isRegularFile(aot)) {
        argv.addAll(List.of("-XX:AOTCache=" + aot, "-Xlog:aot=off", "-Xlog:cds=off"));
      }
    } else {
      Path jsa = jar.resolveSibling(base + ".jsa");
      if (Files.isRegularFile(jsa)) {
        argv.addAll(List.of("-XX:SharedArchiveFile=" + jsa, "-Xlog:cds=off"));
      }
    }
    argv.addAll(List.of("-jar", jar.toString()));
    return argv;
  }

  /** Runs {@code command} on {@code tree}; the release now live (on the first node that says). */
  String run(String command, Optional<String> env, Path tree, PipelineLog log)
      throws PipelineFailure, InterruptedException {
    List<String> argv = new ArrayList<>(java);
    argv.add(command);
    if (command.equals("deploy")) {
      // Each node's steps on stderr as they end: the deploy's live log.
      argv.addAll(List.of("--built", "--progress"));
    }
    // The pushed hoist.yml may not make this server (maybe root) read its own machine's files.
    argv.add("--pushed");
    argv.add("--json");
    env.ifPresent(e -> argv.addAll(List.of("--env", e)));
    argv.add(tree.toString());
    List<String> errors = new ArrayList<>();
    byte[] out;
    Process p = null;
    try {
      ProcessBuilder pb =
          new ProcessBuilder(argv)
              .directory(tree.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().put("NO_COLOR", "1");
      p = pb.start();
      Process started = p;
      Thread reader =
          Thread.ofVirtual()
              .start(
                  () ->
                      BoundedLines.read(
                          started.getErrorStream(),
                          line -> {
                            synchronized (errors) {
                              errors.add(line);
                            }
                            log.line(line);
                          }));
      out = p.getInputStream().readAllBytes();
      p.waitFor();
      reader.join();
    } catch (IOException e) {
      throw new PipelineFailure("deploy", "cannot run hoist " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      // SIGTERM: the CLI's shutdown hook lets every node reach a safe point.
      if (p != null) {
        p.destroy();
      }
      throw e;
    }
    String release = report(out, log);
    if (p.exitValue() != 0) {
      String last;
      synchronized (errors) {
        // A rolling deploy with --json says why it stopped in its report, not on stderr.
        last =
            errors.stream()
                .filter(l -> l.startsWith("error:"))
                .reduce((a, b) -> b)
                .orElse(message(out).orElse(errors.isEmpty() ? "" : errors.getLast()));
      }
      throw new PipelineFailure(
          "deploy", "hoist " + command + " failed (exit " + p.exitValue() + "): " + last, null);
    }
    return release;
  }

  /** The report's own summary (a rolling deploy's: "batch 1 of 3 failed: web1: ..."), if any. */
  private static Optional<String> message(byte[] out) {
    try {
      JsonNode message = JSON.readTree(out).path("message");
      return message.isTextual() && !message.asText().isBlank()
          ? Optional.of(message.asText())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Each node's outcome from the --json report, in any of its shapes; the live release. */
  static String report(byte[] out, PipelineLog log) {
    JsonNode root;
    try {
      root = JSON.readTree(out);
    } catch (IOException e) {
      return "";
    }
    if (root == null || root.isMissingNode() || !root.isObject()) {
      return "";
    }
    String release = "";
    List<JsonNode> nodes = new ArrayList<>();
    if (root.has("nodes")) {
      root.get("nodes").forEach(nodes::add);
    } else {
      nodes.add(root);
    }
    for (JsonNode n : nodes) {
      JsonNode r = n.has("result") ? n.get("result") : n;
      String name = n.path("node").asText(r.path("node").asText("local"));
      String live = r.path("live").asText("");
      boolean ok = n.has("ok") ? n.get("ok").asBoolean() : root.path("ok").asBoolean();
      String outcome =
          n.has("state")
              ? rolloutOutcome(n.get("state").asText())
              : r.path("rolledBack").asBoolean(false)
                  ? "rolled back"
                  : !ok ? "failed" : r.path("newRelease").isTextual() ? "deployed" : "unchanged";
      log.node(name, outcome, live);
      if (release.isEmpty() && ok) {
        release = live;
      }
    }
    if (release.isEmpty()) {
      release = root.path("release").asText("");
    }
    return release;
  }

  /**
   * A web node's state in a rolling deploy's report, as an outcome: a node whose batch never came
   * (the rollout stopped before it) still serves what it served, unchanged.
   */
  private static String rolloutOutcome(String state) {
    return switch (state) {
      case "switched" -> "deployed";
      case "unchanged", "not switched" -> "unchanged";
      case "rolled back" -> "rolled back";
      default -> "failed"; // "failed, rolled back", "needs attention"
    };
  }
}
