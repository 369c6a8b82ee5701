package dev.hoist.build;

import dev.hoist.node.BoundedLines;
import dev.hoist.project.BuildSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs {@code build:}'s commands one after another with {@code /bin/sh -c} in a tree, as the build
 * user, stdin from /dev/null, each output line (stdout and stderr merged) passed on as it comes.
 * The first command that fails stops the build; one still running at the timeout is killed with
 * every process it started that is still its descendant.
 */
public final class Build {
  static final int TAIL = 30;

  private Build() {}

  /** {@code out} gets every line the build prints, prefixed with nothing. */
  public static void run(BuildSpec spec, Path tree, BuildUser user, Consumer<String> out)
      throws BuildException, InterruptedException {
    long deadline = System.nanoTime() + spec.timeout().toNanos();
    for (BuildSpec.Command command : spec.commands()) {
      out.accept("$ " + command.text());
      ArrayDeque<String> tail = new ArrayDeque<>();
      Process p;
      try {
        p =
            new ProcessBuilder(user.wrap(List.of("/bin/sh", "-c", command.text())))
                .directory(tree.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
      } catch (IOException e) {
        throw new BuildException(
            command.where() + ": build: cannot start '" + command.text() + "': " + e.getMessage(),
            List.of());
      }
      long started = System.nanoTime();
      Thread reader =
          Thread.ofVirtual()
              .start(
                  () ->
                      BoundedLines.read(
                          p.getInputStream(),
                          line -> {
                            synchronized (tail) {
                              tail.addLast(line);
                              if (tail.size() > TAIL) {
                                tail.removeFirst();
                              }
                            }
                            out.accept(line);
                          }));
      boolean ended;
      try {
        ended = p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        kill(p);
        throw e;
      }
      if (!ended) {
        kill(p);
      }
      reader.join(Duration.ofSeconds(10));
      String took = seconds(System.nanoTime() - started);
      List<String> lines;
      synchronized (tail) {
        lines = new ArrayList<>(tail);
      }
      if (!ended) {
        throw new BuildException(
            command.where()
                + ": build: '"
                + command.text()
                + "' still ran after build.timeout ("
                + spec.timeout().toSeconds()
                + " s) and was killed; nothing was deployed"
                + "\n    make it faster, or give more time with build: {run: [...], timeout: 30m}",
            lines);
      }
      if (p.exitValue() != 0) {
        throw new BuildException(
            command.where()
                + ": build: '"
                + command.text()
                + "' failed with exit code "
                + p.exitValue()
                + " after "
                + took
                + "; nothing was deployed, the live release is untouched"
                + "\n    fix the build (its last lines are above) and deploy again",
            lines);
      }
    }
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
