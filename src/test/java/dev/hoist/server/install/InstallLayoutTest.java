package dev.hoist.server.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.engine.Catalog;
import dev.hoist.engine.ExecResource;
import dev.hoist.engine.ServiceResource.Supervisor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstallLayoutTest {
  private static InstallLayout layout(Supervisor supervisor) {
    return new InstallLayout(
        Path.of("/etc/hoist-server/server.yml"),
        Path.of("/var/lib/hoist-server"),
        Path.of("/usr/lib/jvm/java-21-openjdk-amd64/bin/java"),
        Path.of("/home/me/hoist/target/hoist.jar"),
        supervisor);
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
                      Supervisor.RUNIT))
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
}
