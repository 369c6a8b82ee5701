package dev.hoist.server.gitpush;

import dev.hoist.server.ServerConfig;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The bare repository a project's pushes land in, {@code <data>/git/<project>.git}, run with the
 * git binary from argument lists. Pushed objects are checked as they arrive ({@code
 * receive.fsckObjects}): what a pusher sends is untrusted until it is a commit the pipeline builds.
 */
public final class PushRepo {
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  private final Path dir;

  private PushRepo(Path dir) {
    this.dir = dir;
  }

  /** Where {@code project}'s pushes land under the server's data directory. */
  public static Path path(Path data, String project) {
    return ServerConfig.pushRepository(data, project);
  }

  /** The push repository of {@code project}, made (bare, fsck on receive) when missing. */
  static PushRepo open(Path data, String project) throws IOException, InterruptedException {
    Path dir = path(data, project);
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(
          dir.getParent(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      git(List.of("init", "--quiet", "--bare", dir.toString()));
      PushRepo repo = new PushRepo(dir);
      repo.config("receive.fsckObjects", "true");
      // The pipeline fetches exactly the pushed commit by its id, as it does from a git host.
      repo.config("uploadpack.allowReachableSHA1InWant", "true");
      return repo;
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(dir + " is not a directory (a link or a file is not used)");
    }
    return new PushRepo(dir);
  }

  Path dir() {
    return dir;
  }

  /** The commit {@code branch} points at, if it exists. */
  Optional<String> head(String branch) throws IOException, InterruptedException {
    Result r =
        run(
            List.of(
                "git",
                "--git-dir=" + dir,
                "rev-parse",
                "--verify",
                "--quiet",
                "refs/heads/" + branch + "^{commit}"));
    String commit = r.out().strip();
    return r.code() == 0 && COMMIT.matcher(commit).matches()
        ? Optional.of(commit)
        : Optional.empty();
  }

  /**
   * Runs git's receive side on this process's standard input and output, which are the pusher's ssh
   * channel; its messages go to standard error, which the pusher sees too.
   *
   * @return git's exit code
   */
  int receive() throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("git", "receive-pack", dir.toString()).inheritIO();
    clean(pb.environment());
    return pb.start().waitFor();
  }

  private void config(String key, String value) throws IOException, InterruptedException {
    git(List.of("--git-dir=" + dir, "config", key, value));
  }

  private static void git(List<String> args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("git"));
    argv.addAll(args);
    Result r = run(argv);
    if (r.code() != 0) {
      throw new IOException("git " + String.join(" ", args) + " failed: " + r.out().strip());
    }
  }

  private record Result(int code, String out) {}

  private static Result run(List<String> argv) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(Redirect.from(devNull()));
    clean(pb.environment());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", argv) + " did not finish within 60 s");
    }
    return new Result(p.exitValue(), out);
  }

  // Git reads GIT_DIR, GIT_CONFIG_* and friends from the environment; only our arguments count.
  private static void clean(Map<String, String> env) {
    env.keySet().removeIf(k -> k.startsWith("GIT_"));
  }

  private static java.io.File devNull() {
    return new java.io.File("/dev/null");
  }
}
