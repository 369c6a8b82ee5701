package dev.hoist.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.project.SpecException;
import dev.hoist.server.hooks.Provider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigLoaderTest {
  @TempDir Path dir;

  @BeforeEach
  void secret() throws IOException {
    Path secret = dir.resolve("shop.secret");
    Files.writeString(secret, "s3cret\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
  }

  private ServerConfig load(String yaml) throws Exception {
    Path file = dir.resolve("server.yml");
    Files.writeString(file, yaml);
    return ServerConfigLoader.load(file);
  }

  private String problems(String yaml) {
    try {
      load(yaml);
    } catch (SpecException e) {
      return e.getMessage().replace(dir.toString(), "DIR");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("loaded without problems");
  }

  @Test
  void readsAProjectWithItsDefaults() throws Exception {
    ServerConfig config =
        load(
            """
            projects:
              shop:
                repo: https://github.com/you/shop.git
                secret_file: shop.secret
            """);
    assertThat(config.listen()).isEqualTo(new ServerConfig.Listen("127.0.0.1", 7500));
    assertThat(config.data()).isEqualTo(ServerConfig.DEFAULT_DATA);
    ProjectConfig shop = config.projects().get("shop");
    assertThat(shop.repo()).isEqualTo("https://github.com/you/shop.git");
    assertThat(shop.branch()).isEqualTo("main");
    assertThat(shop.env()).isEmpty();
    assertThat(shop.hook().provider()).isEqualTo(Provider.GITHUB);
    assertThat(shop.hook().watch()).isEmpty();
    assertThat(shop.notifications()).isEmpty();
    assertThat(shop.hook().secret().toString()).doesNotContain("s3cret");
    assertThat(shop.secretFile()).contains(dir.resolve("shop.secret"));
  }

  @Test
  void readsEveryKey() throws Exception {
    ServerConfig config =
        load(
            """
            listen: "[::1]:8080"
            data: state
            projects:
              shop:
                repo: ../git/shop.git
                branch: refs/heads/release/1.x
                env: live
                secret_file: shop.secret
                provider: forgejo
                watch: [src/, hoist.yml, 'app/**/*.py']
                notify:
                  - https://example.com/deployed
                  - {url: "https://hooks.slack.com/services/T0/B0/x", format: slack}
            """);
    assertThat(config.listen()).hasToString("[::1]:8080");
    assertThat(config.data()).isEqualTo(dir.resolve("state"));
    ProjectConfig shop = config.projects().get("shop");
    assertThat(shop.repo()).isEqualTo(dir.getParent().resolve("git/shop.git").toString());
    assertThat(shop.branch()).isEqualTo("release/1.x");
    assertThat(shop.env()).isEqualTo(Optional.of("live"));
    assertThat(shop.hook().provider()).isEqualTo(Provider.GITEA);
    assertThat(shop.hook().watch()).containsExactly("src", "hoist.yml", "app/**/*.py");
    assertThat(shop.notifications())
        .extracting(ProjectConfig.Notify::format)
        .containsExactly(ProjectConfig.Notify.Format.JSON, ProjectConfig.Notify.Format.SLACK);
  }

  @Test
  void problemsNameFileLineColumnKeyAndFix() {
    String message =
        problems(
            """
            listen: 127.0.0.1:99999
            projects:
              shop:
                repo: --upload-pack=evil
                brnch: main
                secret_file: missing.secret
                provider: bitbucket
                watch: [/etc/passwd]
                notify: [ftp://example.com]
            """);
    assertThat(message.lines().filter(l -> !l.startsWith("    ")))
        .containsExactly(
            "DIR/server.yml:1:9: listen: expected a port from 1 to 65535, found '99999'",
            "DIR/server.yml:4:11: projects.shop.repo: expected a git URL or path, found"
                + " '--upload-pack=evil'",
            "DIR/server.yml:5:5: projects.shop.brnch: unknown key",
            "DIR/server.yml:6:18: projects.shop.secret_file: no such file: DIR/missing.secret",
            "DIR/server.yml:7:15: projects.shop.provider: expected github, gitea, forgejo, gitlab"
                + " or hmac, found 'bitbucket'",
            "DIR/server.yml:8:13: projects.shop.watch: expected a path inside the repository,"
                + " found '/etc/passwd'",
            "DIR/server.yml:9:14: projects.shop.notify: expected an http(s) URL, found"
                + " 'ftp://example.com'");
    assertThat(message).contains("did you mean 'branch'?");
  }

  @Test
  void aProjectFedByGitPushMayGoWithoutASecret() throws Exception {
    ServerConfig config = load("data: state\nprojects:\n  shop: {repo: state/git/shop.git}\n");
    ProjectConfig shop = config.projects().get("shop");
    assertThat(config.takesPushes(shop)).isTrue();
    assertThat(shop.hook().secret()).isEmpty();
  }

  @Test
  void anyOtherProjectNeedsItsSecretSaidAtItsPlace() {
    assertThat(
            problems(
                "data: state\nprojects:\n  shop:\n    repo: https://github.com/you/shop.git\n"))
        .contains(
            "DIR/server.yml:4:5: projects.shop.secret_file: required key is missing: the"
                + " project's webhooks are checked with it")
        .contains(
            "add e.g. 'secret_file: /etc/hoist-server/shop.secret'; only a project deployed by"
                + " git push to this server (repo: DIR/state/git/shop.git) may go without");
  }

  @Test
  void requiresProjectsRepoAndSecret() {
    assertThat(problems("listen: 127.0.0.1:7500\n"))
        .contains("server.yml:1:1: projects: required key is missing");
    assertThat(problems("projects:\n  shop: {branch: main}\n"))
        .contains("projects.shop.repo: required key is missing")
        .contains("projects.shop.secret_file: required key is missing");
    assertThat(problems("projects:\n  Shop_1: {repo: /srv/git/x, secret_file: shop.secret}\n"))
        .contains("server.yml:2:3: projects.Shop_1: expected a project name");
  }

  @Test
  void refusesASecretOthersCanRead() throws IOException {
    Files.setPosixFilePermissions(
        dir.resolve("shop.secret"), PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(problems("projects:\n  shop: {repo: /srv/git/shop, secret_file: shop.secret}\n"))
        .contains("DIR/shop.secret can be read by other users")
        .contains("chmod 600 DIR/shop.secret");
  }

  @Test
  void refusesAnEmptySecretAndABadStandardWebhooksSecret() throws IOException {
    Files.writeString(dir.resolve("shop.secret"), "\n");
    assertThat(problems("projects:\n  shop: {repo: /srv/git/shop, secret_file: shop.secret}\n"))
        .contains("the secret file is empty");
    Files.writeString(dir.resolve("shop.secret"), "whsec_not*base64");
    assertThat(problems("projects:\n  shop: {repo: /srv/git/shop, secret_file: shop.secret}\n"))
        .contains("a whsec_ secret must be followed by base64");
  }

  @Test
  void aMissingFileSaysWhatToWrite() {
    assertThatThrownBy(() -> ServerConfigLoader.load(dir.resolve("nope.yml")))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("nope.yml: no such file");
  }
}
