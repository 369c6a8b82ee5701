package dev.hoist.server.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.ExecResource;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.server.ProjectConfig;
import dev.hoist.server.ServerConfig;
import dev.hoist.server.hooks.HookRules;
import dev.hoist.server.hooks.Provider;
import dev.hoist.server.hooks.WebhookSecret;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstallLayoutTest {
  private static final Path SECRET = Path.of("/etc/hoist-server/shop.secret");

  private static InstallLayout layout(Supervisor supervisor) {
    return layout(supervisor, List.of());
  }

  /** {@code local}: the projects that deploy to this machine. */
  static InstallLayout layout(Supervisor supervisor, List<String> local) {
    return new InstallLayout(
        Path.of("/etc/hoist-server/server.yml"),
        Path.of("/var/lib/hoist-server"),
        Path.of("/usr/lib/jvm/java-21-openjdk-amd64/bin/java"),
        Path.of("/home/me/hoist/target/hoist.jar"),
        supervisor,
        local,
        List.of(SECRET));
  }

  @Test
  void theSystemdUnitRunsTheServerAsHoistConfined() {
    assertThat(layout(Supervisor.SYSTEMD).unit())
        .isEqualTo(
            """
            # Written by 'hoist server install'; docs/server.md.
            [Unit]
            Description=Hoist server: deploys on push (/etc/hoist-server/server.yml)
            After=network-online.target
            Wants=network-online.target

            [Service]
            User=hoist
            Group=hoist
            ExecStart=/usr/local/lib/hoist-server/hoist server --config /etc/hoist-server/server.yml
            Restart=on-failure
            RestartSec=2
            NoNewPrivileges=yes
            PrivateTmp=yes
            ProtectSystem=full
            UMask=0077

            [Install]
            WantedBy=multi-user.target
            """);
  }

  @Test
  void theRunitServiceDropsToHoistWithItsHome() {
    assertThat(layout(Supervisor.RUNIT).runScript())
        .endsWith(
            "exec chpst -u hoist:hoist env HOME=/var/lib/hoist-server"
                + " /usr/local/lib/hoist-server/hoist server --config"
                + " /etc/hoist-server/server.yml\n");
    assertThat(layout(Supervisor.RUNIT).logScript())
        .isEqualTo("#!/bin/sh\nexec svlogd -tt /var/log/hoist-server\n");
  }

  @Test
  void theLauncherRunsTheInstalledJar() {
    assertThat(layout(Supervisor.RUNIT).launcher())
        .contains(
            "exec /usr/lib/jvm/java-21-openjdk-amd64/bin/java -XX:+UseSerialGC"
                + " -XX:TieredStopAtLevel=1 -jar /usr/local/lib/hoist-server/hoist.jar \"$@\"");
  }

  @Test
  void aPushersLineForcesTheGitHook() {
    assertThat(layout(Supervisor.RUNIT).pusherLine("ssh-ed25519 AAAAC3 alice@laptop\n"))
        .isEqualTo(
            "restrict,command=\"/usr/local/lib/hoist-server/hoist server git-hook --config"
                + " /etc/hoist-server/server.yml\" ssh-ed25519 AAAAC3 alice@laptop");
  }

  @Test
  void aPathThatNeedsQuotingIsRefused() {
    for (String bad : List.of("/etc/my server.yml", "/etc/%h.yml", "/etc/a\"b", "relative.yml")) {
      assertThatThrownBy(
              () ->
                  new InstallLayout(
                      Path.of(bad),
                      Path.of("/var/lib/hoist-server"),
                      Path.of("/usr/bin/java"),
                      Path.of("/x.jar"),
                      Supervisor.RUNIT,
                      List.of(),
                      List.of()))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot go into a service file");
    }
  }

  @Test
  void workInTheDataDirectoryIsDoneAsHoist() {
    Catalog catalog = ServerInstall.catalog(layout(Supervisor.SYSTEMD), "box");

    List<String> ids = catalog.ordered().stream().map(e -> e.resource().id()).toList();
    assertThat(ids)
        .containsSubsequence(
            "group:hoist",
            "user:hoist",
            "dir:/var/lib/hoist-server",
            "exec:mkdir-ssh-as-hoist",
            "exec:ssh-keygen-as-hoist")
        .contains(
            "file:/etc/systemd/system/hoist-server.service",
            "file:/usr/local/lib/hoist-server/hoist",
            "exec:install-hoist-jar",
            "service:hoist-server")
        .noneMatch(id -> id.startsWith("file:/etc/sv/"));
    for (String id : List.of("exec:mkdir-ssh-as-hoist", "exec:ssh-keygen-as-hoist")) {
      ExecResource exec = (ExecResource) catalog.get(id).resource();
      assertThat(exec.user()).as(id).contains("hoist");
    }
    ExecResource keygen = (ExecResource) catalog.get("exec:ssh-keygen-as-hoist").resource();
    assertThat(keygen.argv())
        .containsSequence("-t", "ed25519")
        .containsSequence("-C", "hoist-server@box")
        .endsWith("/var/lib/hoist-server/.ssh/id_ed25519");
    assertThat(keygen.creates()).contains("/var/lib/hoist-server/.ssh/id_ed25519");
  }

  @Test
  void withoutSystemdItIsARunitService() {
    List<String> ids =
        ServerInstall.catalog(layout(Supervisor.RUNIT), "box").ordered().stream()
            .map(e -> e.resource().id())
            .toList();
    assertThat(ids)
        .contains(
            "file:/etc/sv/hoist-server/run",
            "file:/etc/sv/hoist-server/log/run",
            "dir:/var/log/hoist-server")
        .noneMatch(id -> id.contains("systemd"));
  }

  @Test
  void aServerThatDeploysHereRunsAsRootWithoutProtectSystem() {
    InstallLayout layout = layout(Supervisor.SYSTEMD, List.of("shop"));
    assertThat(layout.asRoot()).isTrue();
    assertThat(layout.unit())
        .contains(
            "Environment=HOME=/var/lib/hoist-server\n"
                + "ExecStart=/usr/local/lib/hoist-server/hoist server --config"
                + " /etc/hoist-server/server.yml\n",
            "PrivateTmp=yes",
            "UMask=0022")
        .doesNotContain("User=", "ProtectSystem", "UMask=0077");
    assertThat(layout(Supervisor.RUNIT, List.of("shop")).runScript())
        .contains("umask 022\n")
        .endsWith(
            "exec env HOME=/var/lib/hoist-server /usr/local/lib/hoist-server/hoist server"
                + " --config /etc/hoist-server/server.yml\n")
        .doesNotContain("chpst");
  }

  @Test
  void asRootTheDataDirAndKeyAreRootsAndNoSecretIsHandedOver() {
    Catalog catalog = ServerInstall.catalog(layout(Supervisor.RUNIT, List.of("shop")), "box");

    DirectoryResource data =
        (DirectoryResource) catalog.get("dir:/var/lib/hoist-server").resource();
    assertThat(data.attributes()).isEqualTo(Attributes.of("root", "root", "0700"));
    for (String id : List.of("exec:mkdir-ssh-as-root", "exec:ssh-keygen-as-root")) {
      assertThat(((ExecResource) catalog.get(id).resource()).user()).as(id).isEmpty();
    }
    // The builds' user is still made.
    assertThat(catalog.contains("user:hoist")).isTrue();
    assertThat(catalog.ordered()).noneMatch(e -> e.resource().id().contains("secret"));
  }

  @Test
  void asHoistEachSecretFileIsHandedToHoistBeforeTheServiceStarts() {
    Catalog catalog = ServerInstall.catalog(layout(Supervisor.RUNIT), "box");

    String id = "exec:hand-/etc/hoist-server/shop.secret-to-hoist";
    ExecResource handover = (ExecResource) catalog.get(id).resource();
    assertThat(handover.argv())
        .containsExactly(
            "/usr/bin/python3",
            "-I",
            "/usr/local/lib/hoist-server/hand-over-secret",
            "give",
            "/etc/hoist-server/shop.secret");
    assertThat(handover.unless()).contains("check").endsWith("/etc/hoist-server/shop.secret");
    assertThat(catalog.get(id).requires())
        .contains("user:hoist", "file:/usr/local/lib/hoist-server/hand-over-secret");
    assertThat(catalog.get("service:hoist-server").requires()).contains(id);
    assertThat(catalog.get(id).restarts()).contains("service:hoist-server");
  }

  @Test
  void asRootAnotherUsersDataDirIsNotTakenOver() {
    InstallLayout root = layout(Supervisor.RUNIT, List.of("shop", "blog"));
    ObjectNode dir = JsonNodeFactory.instance.objectNode();
    dir.put("exists", true).put("type", "dir").put("owner", "hoist");

    assertThat(ServerInstall.takeover(root, dir))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .startsWith("/var/lib/hoist-server belongs to hoist;")
                    .contains("shop, blog deploy to this machine")
                    .contains("mv /var/lib/hoist-server /var/lib/hoist-server.old"));
    assertThat(ServerInstall.takeover(layout(Supervisor.RUNIT), dir)).isEmpty();
    dir.put("owner", "root");
    assertThat(ServerInstall.takeover(root, dir)).isEmpty();
    assertThat(ServerInstall.takeover(root, null)).isEmpty();
  }

  @Test
  void theProjectsWithoutAnEnvMakeItRunAsRoot() {
    ServerConfig config =
        new ServerConfig(
            Path.of("/etc/hoist-server/server.yml"),
            ServerConfig.DEFAULT_LISTEN,
            Path.of("/var/lib/hoist-server"),
            Map.of(
                "shop", project("shop", Optional.of("live"), "/etc/hoist-server/shop.secret"),
                "blog", project("blog", Optional.empty(), "/etc/hoist-server/shop.secret")));

    InstallLayout layout =
        InstallLayout.of(config, Path.of("/usr/bin/java"), Path.of("/x.jar"), Supervisor.RUNIT);

    assertThat(layout.localProjects()).containsExactly("blog");
    assertThat(layout.serviceUser()).isEqualTo("root");
    assertThat(layout.secretFiles()).containsExactly(SECRET);
    Map<String, ProjectConfig> remote =
        Map.of("shop", project("shop", Optional.of("live"), "/etc/hoist-server/shop.secret"));
    assertThat(
            InstallLayout.of(
                    new ServerConfig(config.file(), config.listen(), config.data(), remote),
                    Path.of("/usr/bin/java"),
                    Path.of("/x.jar"),
                    Supervisor.RUNIT)
                .serviceUser())
        .isEqualTo("hoist");
  }

  private static ProjectConfig project(String name, Optional<String> env, String secret) {
    return new ProjectConfig(
        name,
        "https://example.com/" + name + ".git",
        "main",
        env,
        new HookRules(Provider.GITHUB, Optional.of(WebhookSecret.of("s")), "main", List.of()),
        List.of(),
        Optional.of(Path.of(secret)));
  }
}
