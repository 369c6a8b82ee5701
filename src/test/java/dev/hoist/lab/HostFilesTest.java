package dev.hoist.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parsing what the lab reads from this machine: apt sources and config, mountinfo, /proc stat,
 * passwd.
 */
class HostFilesTest {
  @Test
  void mirrorComesFromDeb822Sources() {
    String sources =
        """
        Types: deb
        URIs: http://deb.debian.org/debian-security
        Suites: bookworm-security
        Components: main

        Types: deb
        # http://snapshot.debian.org/archive/debian/20250520T000000Z
        URIs: http://mirror.example/debian
        Suites: bookworm bookworm-updates
        Components: main
        """;
    assertThat(HostApt.mirror("bookworm", List.of(sources)))
        .isEqualTo("http://mirror.example/debian");
  }

  @Test
  void mirrorComesFromOneLineSourcesWithOptions() {
    String list =
        "# comment\ndeb-src http://src.example/debian bookworm main\n"
            + "deb [arch=amd64 signed-by=/etc/apt/keyrings/x.gpg] http://one.example/debian bookworm main\n";
    assertThat(HostApt.mirror("bookworm", List.of(list))).isEqualTo("http://one.example/debian");
  }

  @Test
  void mirrorFallsBackToDebiansRedirector() {
    assertThat(HostApt.mirror("bookworm", List.of("deb http://x/ubuntu jammy main\n")))
        .isEqualTo("http://deb.debian.org/debian");
  }

  @Test
  void proxyComesFromAptConfigDump() {
    assertThat(HostApt.proxy("APT \"\";\nAcquire::http::Proxy \"http://proxy:3128/\";\n"))
        .contains("http://proxy:3128/");
    assertThat(HostApt.proxy("Acquire::http::Proxy \"DIRECT\";\n")).isEmpty();
    assertThat(HostApt.proxy("APT::Architecture \"amd64\";\n")).isEmpty();
  }

  @Test
  void signedByKeyringsAreFoundInBothSourceFormats() {
    assertThat(
            HostApt.signedBy(
                "Signed-By: /usr/share/keyrings/a.gpg\n"
                    + "deb [signed-by=/usr/share/keyrings/b.gpg] http://x/ y main\n"))
        .containsExactly(
            Path.of("/usr/share/keyrings/a.gpg"), Path.of("/usr/share/keyrings/b.gpg"));
  }

  @Test
  void mountinfoPointsAreUnescaped() {
    List<String> lines =
        List.of(
            "36 35 98:0 / /run/hoist-lab/lab1/disk rw,relatime shared:1 - tmpfs hoist-lab1 rw,size=2097152k",
            "37 35 98:0 / /mnt/with\\040space rw - ext4 /dev/x rw");
    assertThat(Mounts.parse(lines))
        .containsExactly(Path.of("/run/hoist-lab/lab1/disk"), Path.of("/mnt/with space"));
  }

  @Test
  void procStatSurvivesACommandNameWithSpacesAndParens() {
    String line =
        "4242 (my (odd) cmd) S 4241 4242 4242 0 -1 4194560 107 0 0 0 0 0 0 0 20 0 1 0 987654 1 2 3";
    Procfs.Stat s = Procfs.parseStat(4242, line);
    assertThat(s.state()).isEqualTo('S');
    assertThat(s.ppid()).isEqualTo(4241);
    assertThat(s.startTicks()).isEqualTo(987654);
    assertThat(new Procfs.Stat(1, 'Z', 0, 0).exited()).isTrue();
  }

  @Test
  void passwdGivesNumericIdsAndHome() {
    List<String> passwd =
        List.of(
            "root:x:0:0:root:/root:/bin/bash",
            "deploy:*:1000:1000:hoist lab:/home/deploy:/bin/bash");
    assertThat(NodeFiles.parsePasswd(passwd, "deploy"))
        .contains(new NodeFiles.Account(1000, 1000, "/home/deploy"));
    assertThat(NodeFiles.parsePasswd(passwd, "nobody")).isEmpty();
  }

  @Test
  void hostsNamesTheHostAndEveryNode() {
    assertThat(NodeFiles.hosts(List.of(NodeSpec.of(1), NodeSpec.of(2))))
        .contains(
            "127.0.0.1\tlocalhost\n",
            "10.213.77.1\thoist-lab-host\n",
            "10.213.77.11\tlab1\n",
            "10.213.77.12\tlab2\n");
  }

  @Test
  void aLoopbackStubResolverIsUselessInsideANode() {
    assertThat(NodeFiles.onlyLoopback("nameserver 127.0.0.53\noptions edns0\n")).isTrue();
    assertThat(NodeFiles.onlyLoopback("nameserver 10.255.255.53\n")).isFalse();
    assertThat(NodeFiles.onlyLoopback("nameserver 127.0.0.53\nnameserver 1.1.1.1\n")).isFalse();
  }

  @Test
  void knownHostsLinesNameTheNodeAndItsAddressAndDropTheComment() {
    assertThat(LabKeys.knownHostsLine(NodeSpec.of(3), "ssh-ed25519 AAAAC3Nza root@lab3\n"))
        .isEqualTo("lab3,10.213.77.13 ssh-ed25519 AAAAC3Nza");
  }

  @Test
  void missingToolsAreNamedWithTheirPackagesAndOneInstallLine() {
    assertThat(HostCheck.missingMessage(List.of("debootstrap", "unshare", "nsenter", "nft")))
        .isEqualTo(
            "hoist lab needs programs this machine lacks: debootstrap (package debootstrap), unshare (package"
                + " util-linux), nsenter (package util-linux), nft (package nftables); install them with: apt-get install"
                + " debootstrap util-linux nftables (or run scripts/install-test-deps.sh from Hoist's source tree)");
  }
}
