package dev.hoist.server.build;

import dev.hoist.node.BoundedLines;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The git binary, run from argument lists with an environment of our own: no inherited GIT_*
 * variables, never a prompt for a password (the server has no terminal), SSH in batch mode.
 */
final class Git {
  private final Path gitDir;

  Git(Path gitDir) {
    this.gitDir = gitDir;
  }

  record Result(int exit, List<String> lines) {
    String text() {
      return String.join("\n", lines);
    }
  }

  /** Runs {@code git --git-dir=<mirror> args}, each output line (redacted) also to {@code out}. */
  Result run(List<String> args, Map<String, String> env, Duration timeout, Consumer<String> out)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        builder(args)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().putAll(env);
    Process p = pb.start();
    List<String> lines = new ArrayList<>();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () ->
                    BoundedLines.read(
                        p.getInputStream(),
                        line -> {
                          String shown = Redacted.text(line);
                          synchronized (lines) {
                            lines.add(shown);
                          }
                          out.accept(shown);
                        }));
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        reader.join(Duration.ofSeconds(5));
        throw new IOException(
            "git " + args.getFirst() + " did not finish in " + timeout.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw e;
    }
    reader.join(Duration.ofSeconds(10));
    synchronized (lines) {
      return new Result(p.exitValue(), List.copyOf(lines));
    }
  }

  /**
   * {@code git --git-dir=<mirror> args} started, its stdout raw (a blob's bytes) and its stderr
   * discarded: for the plumbing that reads objects (ls-tree, cat-file), which applies no filter and
   * reads no attribute; no system or global config is read either.
   */
  Process start(List<String> args) throws IOException {
    ProcessBuilder pb = builder(args).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
    return pb.start();
  }

  private ProcessBuilder builder(List<String> args) {
    // No hook and no fsmonitor command ever runs from the mirror's config, whoever wrote it.
    List<String> argv =
        new ArrayList<>(
            List.of(
                "git",
                "-c",
                "core.hooksPath=/dev/null",
                "-c",
                "core.fsmonitor=false",
                "--git-dir=" + gitDir));
    argv.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(argv).directory(gitDir.getParent().toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
    pb.environment().put("GIT_TERMINAL_PROMPT", "0");
    pb.environment().put("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    return pb;
  }
}
