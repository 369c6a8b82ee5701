package dev.hoist.server.build;

import dev.hoist.server.ProjectConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A project's cache under the server's data dir: {@code mirror.git}, a bare repository that fetches
 * only the project's branch (and a pushed commit by id when the branch no longer holds it), and
 * {@code trees/}, one clean work tree per deploy with no {@code .git} in it.
 */
final class Checkout {
  static final Duration FETCH_TIMEOUT = Duration.ofMinutes(10);
  private static final java.util.regex.Pattern COMMIT =
      java.util.regex.Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  private final Path dir;
  private final Git git;

  Checkout(Path dir) {
    this.dir = dir;
    this.git = new Git(dir.resolve("mirror.git"));
  }

  /**
   * Fetches {@code project}'s branch and makes sure {@code commit} (its head when empty) is there;
   * the full commit id.
   */
  String fetch(ProjectConfig project, Optional<String> commit, Consumer<String> out)
      throws PipelineFailure, InterruptedException {
    String repo = Redacted.text(project.repo());
    if (commit.isPresent() && !COMMIT.matcher(commit.get()).matches()) {
      throw new PipelineFailure(
          "fetch", "'" + commit.get() + "' is not a commit id (40 or 64 hex digits)", null);
    }
    try {
      if (!Files.isDirectory(dir.resolve("mirror.git"))) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // An empty bare repository, then fetch: cloning an empty repository fails.
        check(
            git.run(List.of("init", "--quiet", "--bare"), Map.of(), FETCH_TIMEOUT, l -> {}),
            "git init");
      }
      String branch = "refs/heads/" + project.branch();
      Git.Result fetched =
          git.run(
              List.of(
                  "fetch",
                  "--quiet",
                  "--no-tags",
                  "--prune",
                  "--end-of-options",
                  project.repo(),
                  "+" + branch + ":" + branch),
              Map.of(),
              FETCH_TIMEOUT,
              out);
      if (fetched.exit() != 0) {
        throw new PipelineFailure(
            "fetch",
            "cannot fetch branch '"
                + project.branch()
                + "' of "
                + repo
                + ": "
                + last(fetched)
                + "\n    check the repo: URL and branch: in server.yml and that the server's user can read it",
            null);
      }
      if (commit.isEmpty()) {
        return resolve(branch)
            .orElseThrow(
                () ->
                    new PipelineFailure(
                        "fetch",
                        "branch '" + project.branch() + "' of " + repo + " has no commit",
                        null));
      }
      Optional<String> found = resolve(commit.get());
      if (found.isEmpty()) {
        // Pushed, then replaced on the branch (a forced push): ask for it by id.
        git.run(
            List.of(
                "fetch", "--quiet", "--no-tags", "--end-of-options", project.repo(), commit.get()),
            Map.of(),
            FETCH_TIMEOUT,
            l -> {});
        found = resolve(commit.get());
      }
      return found.orElseThrow(
          () ->
              new PipelineFailure(
                  "fetch",
                  "commit "
                      + commit.get()
                      + " does not exist in "
                      + repo
                      + " (branch '"
                      + project.branch()
                      + "' fetched)",
                  null));
    } catch (IOException e) {
      throw new PipelineFailure(
          "fetch", "cannot fetch " + repo + ": " + Redacted.text(e.getMessage()), e);
    }
  }

  private Optional<String> resolve(String rev) throws IOException, InterruptedException {
    Git.Result r =
        git.run(
            List.of("rev-parse", "--quiet", "--verify", "--end-of-options", rev + "^{commit}"),
            Map.of(),
            Duration.ofMinutes(1),
            l -> {});
    return r.exit() == 0 && !r.lines().isEmpty()
        ? Optional.of(r.lines().getFirst().strip())
        : Optional.empty();
  }

  /** Earlier deploys' trees, to remove before a new one is made. */
  List<Path> oldTrees() throws IOException {
    Path trees = dir.resolve("trees");
    if (!Files.isDirectory(trees)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(trees)) {
      return s.toList();
    }
  }

  /**
   * A new directory of the server's own under the cache holding {@code commit}'s files, and nothing
   * else (no .git), written from git's objects: git's checkout never runs (CommitFiles).
   */
  Path tree(String commit) throws PipelineFailure, InterruptedException {
    try {
      String name = commit.substring(0, 12) + "-" + UUID.randomUUID().toString().substring(0, 8);
      Path tree =
          Files.createDirectory(Files.createDirectories(dir.resolve("trees")).resolve(name));
      CommitFiles.write(git, commit, tree);
      return tree;
    } catch (IOException e) {
      throw new PipelineFailure("fetch", "cannot check out " + commit + ": " + e.getMessage(), e);
    }
  }

  private static void check(Git.Result r, String what) throws IOException {
    if (r.exit() != 0) {
      throw new IOException(what + " failed: " + last(r));
    }
  }

  private static String last(Git.Result r) {
    return r.lines().isEmpty() ? "exit " + r.exit() : r.lines().getLast();
  }
}
