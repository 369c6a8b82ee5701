package dev.hoist.server.gitpush;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.server.ProjectConfig;
import dev.hoist.server.ServerConfig;
import dev.hoist.server.hooks.HookRules;
import dev.hoist.server.hooks.Provider;
import dev.hoist.server.hooks.WebhookSecret;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitHookTest {
  @TempDir Path data;
  private final ByteArrayOutputStream said = new ByteArrayOutputStream();
  private final HttpClient http = GitHook.client();

  @AfterEach
  void close() {
    http.close();
  }

  private GitHook hook() {
    Map<String, ProjectConfig> projects = new LinkedHashMap<>();
    projects.put("shop", project("shop", PushRepo.path(data, "shop").toString()));
    projects.put("blog", project("blog", "https://github.com/you/blog.git"));
    ServerConfig config =
        new ServerConfig(
            Path.of("/etc/hoist-server/server.yml"), ServerConfig.DEFAULT_LISTEN, data, projects);
    return new GitHook(config, http, new PrintStream(said, true, StandardCharsets.UTF_8));
  }

  private static ProjectConfig project(String name, String repo) {
    return new ProjectConfig(
        name,
        repo,
        "main",
        Optional.empty(),
        new HookRules(Provider.GITHUB, Optional.of(WebhookSecret.of("s")), "main", List.of()),
        List.of(),
        Optional.of(Path.of("/etc/hoist-server/shop.secret")));
  }

  private String said() {
    return said.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aShellIsRefusedAndNothingIsMade() throws Exception {
    assertThat(hook().run("sh -c id")).isEqualTo(GitHook.REFUSED);

    assertThat(said())
        .isEqualTo(
            "hoist: refused to run 'sh -c id': this account takes git pushes only; push with: git"
                + " push hoist@SERVER:PROJECT BRANCH\n");
    assertThat(data.resolve("git")).doesNotExist();
  }

  @Test
  void anUnknownProjectIsRefusedNamingThoseThatTakePushes() throws Exception {
    assertThat(hook().run("git-receive-pack 'shoe'")).isEqualTo(GitHook.REFUSED);

    assertThat(said())
        .isEqualTo("hoist: no project 'shoe' in server.yml; projects taking pushes: shop\n");
  }

  @Test
  void aProjectDeployedFromItsGitHostTakesNoPush() throws Exception {
    assertThat(hook().run("git-receive-pack 'blog'")).isEqualTo(GitHook.REFUSED);

    assertThat(said())
        .isEqualTo(
            "hoist: project 'blog' deploys from its git host, not from pushes here; to deploy"
                + " pushes set 'repo: "
                + PushRepo.path(data, "blog")
                + "' for it in server.yml\n")
        .doesNotContain("github.com");
    assertThat(data.resolve("git")).doesNotExist();
  }

  @Test
  void theWildcardAddressIsReachedThroughLoopback() {
    assertThat(GitHook.base(new ServerConfig.Listen("0.0.0.0", 7500)))
        .hasToString("http://127.0.0.1:7500");
    assertThat(GitHook.base(new ServerConfig.Listen("::", 7500))).hasToString("http://[::1]:7500");
    assertThat(GitHook.base(new ServerConfig.Listen("10.0.0.5", 80)))
        .hasToString("http://10.0.0.5:80");
  }
}
