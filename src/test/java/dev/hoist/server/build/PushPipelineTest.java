package dev.hoist.server.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hoist.build.BuildUser;
import dev.hoist.server.ProjectConfig;
import dev.hoist.server.hooks.HookRules;
import dev.hoist.server.hooks.Provider;
import dev.hoist.server.hooks.WebhookSecret;
import dev.hoist.server.queue.DeployRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline against a local repository with the git binary: exactly the asked commit, a clean
 * tree with the build's output, failures of the fetch and the build. The deploy step is a stand-in
 * script that prints what {@code hoist deploy --json} prints.
 */
class PushPipelineTest {
  private static final PushPipeline.Builder ME =
      () -> new BuildUser("me", 0, 0, Path.of("/"), true);
  private static final PushPipeline.Builder NOBODY =
      () -> {
        throw new PipelineFailure("build", "no user may build here", null);
      };

  @TempDir Path tmp;
  Path repo;
  Path data;
  final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  final List<String> phases = new ArrayList<>();
  final List<String> nodes = new ArrayList<>();

  final PipelineLog log =
      new PipelineLog() {
        @Override
        public void line(String text) {
          lines.add(text);
        }

        @Override
        public void phase(String phase, Duration took) {
          phases.add(phase);
        }

        @Override
        public void node(String node, String outcome, String release) {
          nodes.add(node + " " + outcome + " " + release);
        }
      };

  @BeforeEach
  void repo() throws Exception {
    repo = Files.createDirectories(tmp.resolve("shop"));
    data = tmp.resolve("data");
    git(repo, "init", "-q", "-b", "main");
    Files.writeString(
        repo.resolve("hoist.yml"),
        String.join(
            "\n",
            "app: shop",
            "wsgi: app:application",
            "build: [mkdir -p dist && cat app.py > dist/copy.txt && ls -a > dist/ls.txt]",
            ""));
    Files.writeString(repo.resolve("app.py"), "v = 1\n");
    commit("one");
  }

  private String commit(String message) throws Exception {
    git(repo, "add", "-A");
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", message);
    return git(repo, "rev-parse", "HEAD").strip();
  }

  private static String git(Path dir, String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("git", "-C", dir.toString()));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  private ProjectConfig project(String url) {
    return new ProjectConfig(
        "shop",
        url,
        "main",
        Optional.empty(),
        new HookRules(Provider.GITHUB, Optional.of(WebhookSecret.of("s")), "main", List.of()),
        List.of(),
        Optional.of(Path.of("/etc/hoist-server/shop.secret")));
  }

  private static DeployRequest request(String commit) {
    return new DeployRequest("shop", commit, "t", "m", "test");
  }

  /** A deploy step that copies the tree it was given aside and reports one node deployed. */
  private PushPipeline pipeline(String json) {
    return pipeline(json, ME);
  }

  private PushPipeline pipeline(String json, PushPipeline.Builder builder) {
    Path seen = tmp.resolve("seen");
    String script =
        "for a; do last=\"$a\"; done; cp -r \"$last\" "
            + seen
            + "; echo progress >&2; printf '%s' '"
            + json
            + "'";
    return new PushPipeline(data, new HoistCli(List.of("/bin/sh", "-c", script, "sh")), builder);
  }

  @Test
  void deploysExactlyTheAskedCommitFromACleanBuiltTree() throws Exception {
    String first = git(repo, "rev-parse", "HEAD").strip();
    Files.writeString(repo.resolve("app.py"), "v = 2\n");
    commit("two");

    PipelineResult result =
        pipeline("{\"node\":\"local\",\"ok\":true,\"newRelease\":\"r7\",\"live\":\"r7\"}")
            .deploy(project(repo.toString()), request(first), log);

    assertThat(result).isEqualTo(new PipelineResult(first, "r7"));
    Path seen = tmp.resolve("seen");
    assertThat(seen.resolve("dist/copy.txt")).hasContent("v = 1");
    assertThat(Files.readString(seen.resolve("dist/ls.txt"))).doesNotContain(".git");
    assertThat(phases).containsExactly("fetch", "build", "deploy");
    assertThat(nodes).containsExactly("local deployed r7");
    assertThat(lines).contains("progress");
    // The tree is gone after the deploy; the mirror stays for the next fetch.
    try (var trees = Files.list(data.resolve("cache/shop/trees"))) {
      assertThat(trees).isEmpty();
    }
    assertThat(data.resolve("cache/shop/mirror.git")).isDirectory();
  }

  @Test
  void withoutACommitTheBranchHeadIsDeployed() throws Exception {
    Files.writeString(repo.resolve("app.py"), "v = 3\n");
    String head = commit("three");

    PipelineResult result =
        pipeline("{\"nodes\":[]}").deploy(project(repo.toString()), request(null), log);

    assertThat(result.commit()).isEqualTo(head);
    assertThat(tmp.resolve("seen/dist/copy.txt")).hasContent("v = 3");
  }

  @Test
  void aCommitThatDoesNotExistIsAFetchFailure() {
    String none = "0123456789012345678901234567890123456789";
    PipelineFailure f =
        catchThrowableOfType(
            PipelineFailure.class,
            () -> pipeline("{}").deploy(project(repo.toString()), request(none), log));

    assertThat(f.phase()).isEqualTo("fetch");
    assertThat(f.getMessage()).contains("commit " + none + " does not exist in " + repo);
    assertThat(tmp.resolve("seen")).doesNotExist();
  }

  @Test
  void aRepoThatCannotBeFetchedNamesItWithoutItsPassword() {
    PipelineFailure f =
        catchThrowableOfType(
            PipelineFailure.class,
            () ->
                pipeline("{}")
                    .deploy(
                        project("https://deploy:s3cret@127.0.0.1:1/shop.git"), request(null), log));

    assertThat(f.phase()).isEqualTo("fetch");
    assertThat(f.getMessage())
        .contains("cannot fetch branch 'main' of https://127.0.0.1:1/shop.git");
    assertThat(f.getMessage() + String.join("\n", lines)).doesNotContain("s3cret");
  }

  /** How deploying the branch head (with a stand-in deploy step) fails. */
  private PipelineFailure headDeployFailure() {
    return catchThrowableOfType(
        PipelineFailure.class,
        () -> pipeline("{}").deploy(project(repo.toString()), request(null), log));
  }

  @Test
  void aFailingBuildStopsBeforeTheDeploy() throws Exception {
    Files.writeString(
        repo.resolve("hoist.yml"),
        "app: shop\nwsgi: app:application\nbuild: [\"echo nope; exit 5\"]\n");
    commit("broken");

    PipelineFailure f = headDeployFailure();

    assertThat(f.phase()).isEqualTo("build");
    assertThat(f.getMessage()).contains("failed with exit code 5").contains("nope");
    assertThat(tmp.resolve("seen")).doesNotExist();
    // The fetch ended before the build failed: its time is kept.
    assertThat(phases).containsExactly("fetch");
  }

  @Test
  void aCommitWhoseHoistYmlIsALinkIsRefusedWithoutReadingWhereItPoints() throws Exception {
    Path outside = Files.writeString(tmp.resolve("root-only.txt"), "app: [SECRET-CONTENT\n");
    Files.delete(repo.resolve("hoist.yml"));
    Files.createSymbolicLink(repo.resolve("hoist.yml"), outside);
    commit("linked");

    PipelineFailure f = headDeployFailure();

    assertThat(f.phase()).isEqualTo("build");
    assertThat(f.getMessage()).contains("hoist.yml is a symbolic link").doesNotContain("SECRET");
    assertThat(tmp.resolve("seen")).doesNotExist();
  }

  @Test
  void aBuildWithNobodyToRunItFailsAtBuildWithTheFetchTimed() {
    PipelineFailure f =
        catchThrowableOfType(
            PipelineFailure.class,
            () -> pipeline("{}", NOBODY).deploy(project(repo.toString()), request(null), log));

    assertThat(f.phase()).isEqualTo("build");
    assertThat(f.getMessage()).isEqualTo("no user may build here");
    assertThat(phases).containsExactly("fetch");
    assertThat(tmp.resolve("seen")).doesNotExist();
  }

  @Test
  void aProjectWithoutBuildCommandsNeedsNoBuildUser() throws Exception {
    Files.writeString(repo.resolve("hoist.yml"), "app: shop\nwsgi: app:application\n");
    commit("no build");

    PipelineResult result =
        pipeline("{\"node\":\"local\",\"ok\":true,\"newRelease\":\"r8\",\"live\":\"r8\"}", NOBODY)
            .deploy(project(repo.toString()), request(null), log);

    assertThat(result.release()).isEqualTo("r8");
    assertThat(phases).containsExactly("fetch", "build", "deploy");
    assertThat(lines).contains("no build: commands; nothing to build");
    assertThat(tmp.resolve("seen/app.py")).hasContent("v = 1");
  }

  @Test
  void aFailedDeployStepIsADeployFailureWithEachNodesOutcome() throws Exception {
    PushPipeline failing =
        new PushPipeline(
            data,
            new HoistCli(
                List.of(
                    "/bin/sh",
                    "-c",
                    "echo 'error: web2: health check failed' >&2;"
                        + " printf '%s' '{\"ok\":false,\"nodes\":[{\"node\":\"web1\",\"ok\":true,\"result\":{\"live\":\"r2\",\"newRelease\":\"r2\"}},"
                        + "{\"node\":\"web2\",\"ok\":false,\"result\":{\"live\":\"r1\",\"rolledBack\":true}}]}'; exit 1",
                    "sh")),
            ME);

    PipelineFailure f =
        catchThrowableOfType(
            PipelineFailure.class,
            () -> failing.deploy(project(repo.toString()), request(null), log));

    assertThat(f.phase()).isEqualTo("deploy");
    assertThat(f.getMessage()).contains("error: web2: health check failed");
    assertThat(nodes).containsExactly("web1 deployed r2", "web2 rolled back r1");
  }

  @Test
  void aRollingDeploysReportGivesEachWebNodesOutcome() {
    // hoist deploy --json of a rollout behind a balancer that stopped at its second batch.
    String json =
        "{\"ok\":false,\"outcome\":\"failed\",\"release\":\"r2\",\"nodes\":["
            + "{\"node\":\"web1\",\"state\":\"switched\",\"live\":\"r2\"},"
            + "{\"node\":\"web2\",\"state\":\"failed, rolled back\",\"live\":\"r1\"},"
            + "{\"node\":\"web3\",\"state\":\"not switched\",\"live\":\"r1\"},"
            + "{\"node\":\"web4\",\"state\":\"unchanged\",\"live\":\"r2\"},"
            + "{\"node\":\"web5\",\"state\":\"rolled back\",\"live\":\"r1\"},"
            + "{\"node\":\"web6\",\"state\":\"needs attention\"}]}";

    HoistCli.report(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), log);

    assertThat(nodes)
        .containsExactly(
            "web1 deployed r2",
            "web2 failed r1",
            "web3 unchanged r1",
            "web4 unchanged r2",
            "web5 rolled back r1",
            "web6 failed ");
  }

  @Test
  void aRollingDeployThatStoppedFailsWithItsReportsMessage() {
    // hoist deploy --json behind a balancer says nothing on stderr when a batch fails.
    PushPipeline failing =
        new PushPipeline(
            data,
            new HoistCli(
                List.of(
                    "/bin/sh",
                    "-c",
                    "printf '%s' '{\"ok\":false,\"outcome\":\"failed\",\"message\":\"batch 1 of 3 failed: web1: unhealthy\","
                        + "\"nodes\":[{\"node\":\"web1\",\"state\":\"failed, rolled back\",\"live\":\"r1\"}]}'; exit 1",
                    "sh")),
            ME);

    PipelineFailure f =
        catchThrowableOfType(
            PipelineFailure.class,
            () -> failing.deploy(project(repo.toString()), request(null), log));

    assertThat(f.getMessage())
        .isEqualTo("hoist deploy failed (exit 1): batch 1 of 3 failed: web1: unhealthy");
    assertThat(nodes).containsExactly("web1 failed r1");
  }

  @Test
  void redactsTheUserAndPasswordOfAnyUrlInALine() {
    assertThat(Redacted.text("fatal: unable to access 'https://u:p@host/x.git/': refused"))
        .isEqualTo("fatal: unable to access 'https://host/x.git/': refused");
    assertThat(Redacted.text("ssh://git@host:22/x")).isEqualTo("ssh://host:22/x");
  }
}
