package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A local git repository a test commits to and a server fetches from (its {@code repo:}). */
final class GitRepo {
  private GitRepo() {}

  /** Makes {@code dir} a repository on branch main with everything in it committed. */
  static String init(Path dir) throws IOException, InterruptedException {
    git(dir, "init", "-q", "-b", "main");
    return commit(dir, "first");
  }

  /** Commits everything in {@code dir} as Jane; the commit id. */
  static String commit(Path dir, String message) throws IOException, InterruptedException {
    git(dir, "add", "-A");
    git(
        dir,
        "-c",
        "user.name=Jane",
        "-c",
        "user.email=jane@example.com",
        "commit",
        "-q",
        "-m",
        message);
    return git(dir, "rev-parse", "HEAD").trim();
  }

  static String git(Path dir, String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("git"));
    argv.addAll(List.of(args));
    Hoist.Result r = Hoist.capture(new ProcessBuilder(argv).directory(dir.toFile()), "git");
    assertThat(r.exit()).as(r.all()).isZero();
    return r.out();
  }
}
