package dev.hoist.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The argument lists the lab runs: each tool gets its arguments as a list, never a shell string.
 */
class LabCommandsTest {
  private final NodeSpec lab2 = NodeSpec.of(2);

  @Test
  void nodeStartsInItsNetnsThenInNewNamespacesRootedInItsRoot() {
    assertThat(LabNode.startCommand(lab2, Path.of("/run/hoist-lab/lab2/root")))
        .containsExactly(
            "nsenter",
            "--net=/run/netns/hoist-lab2",
            "unshare",
            "--mount",
            "--pid",
            "--uts",
            "--ipc",
            "--fork",
            "--kill-child",
            "--root=/run/hoist-lab/lab2/root",
            "/usr/local/sbin/hoist-lab-init",
            "lab2");
  }

  @Test
  void systemdNodeBootsWithNspawnInItsNetnsWithoutRegisteringAnywhere() {
    NodeSpec sd2 = NodeSpec.of(Init.SYSTEMD, 2);
    assertThat(LabNode.nspawnCommand(sd2, Path.of("/run/hoist-lab/sd2/root")))
        .startsWith("systemd-nspawn")
        .contains(
            "--register=no",
            "--keep-unit",
            "--boot",
            "--directory=/run/hoist-lab/sd2/root",
            "--machine=sd2",
            "--network-namespace-path=/run/netns/hoist-sd2",
            "--resolv-conf=off");
  }

  @Test
  void aBenchmarkMayAskForABiggerDiskButNotForGarbage() throws Exception {
    assertThat(LabNode.diskSize("")).isEqualTo("2g");
    assertThat(LabNode.diskSize("8g")).isEqualTo("8g");
    assertThat(LabNode.diskSize("512m")).isEqualTo("512m");
    for (String bad : List.of("8", "0g", "8G", "8g,mode=4777", "-1g", "8t")) {
      assertThatThrownBy(() -> LabNode.diskSize(bad))
          .isInstanceOf(LabException.class)
          .hasMessageContaining("HOIST_LAB_DISK=" + bad + " is not a size");
    }
  }

  @Test
  void diskIsASizeLimitedTmpfsAndRootAnOverlayOnTheBase() throws Exception {
    Path disk = Path.of("/run/hoist-lab/lab2/disk");
    assertThat(LabNode.diskMount(lab2, disk, LabNode.diskSize(null)))
        .containsExactly(
            "mount",
            "-t",
            "tmpfs",
            "-o",
            "size=2g,mode=0755",
            "hoist-lab2",
            "/run/hoist-lab/lab2/disk");
    assertThat(
            LabNode.overlayMount(
                lab2,
                Path.of("/var/lib/hoist-lab/base"),
                disk,
                Path.of("/run/hoist-lab/lab2/root")))
        .containsExactly(
            "mount",
            "-t",
            "overlay",
            "-o",
            "lowerdir=/var/lib/hoist-lab/base,"
                + "upperdir=/run/hoist-lab/lab2/disk/upper,workdir=/run/hoist-lab/lab2/disk/work",
            "hoist-lab2",
            "/run/hoist-lab/lab2/root");
  }

  @Test
  void vethGoesFromTheBridgeIntoTheNodeWithItsAddressAndDefaultRoute() {
    assertThat(LabNetwork.attachCommands(lab2))
        .containsExactly(
            List.of("ip", "netns", "add", "hoist-lab2"),
            List.of(
                "ip",
                "link",
                "add",
                "hl-lab2",
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "netns",
                "hoist-lab2"),
            List.of("ip", "link", "set", "hl-lab2", "master", "hoistlab0", "up"),
            List.of("ip", "-n", "hoist-lab2", "address", "add", "10.213.77.12/24", "dev", "eth0"),
            List.of("ip", "-n", "hoist-lab2", "link", "set", "lo", "up"),
            List.of("ip", "-n", "hoist-lab2", "link", "set", "eth0", "up"),
            List.of("ip", "-n", "hoist-lab2", "route", "add", "default", "via", "10.213.77.1"));
    assertThat(LabNetwork.detachCommands(lab2))
        .containsExactly(
            List.of("ip", "link", "delete", "hl-lab2"),
            List.of("ip", "netns", "delete", "hoist-lab2"));
  }

  @Test
  void bridgeHoldsTheGateway() {
    assertThat(LabNetwork.bridgeCommands())
        .containsExactly(
            List.of("ip", "link", "add", "hoistlab0", "type", "bridge"),
            List.of("ip", "address", "add", "10.213.77.1/24", "dev", "hoistlab0"),
            List.of("ip", "link", "set", "hoistlab0", "up"));
  }

  @Test
  void natLetsOnlyDnsAndHttpOutOfTheLabInItsOwnTable() {
    String rules = LabNetwork.nftRules();
    assertThat(rules)
        .startsWith("table ip hoist_lab {")
        .contains(
            "udp dport 53 accept",
            "tcp dport { 53, 80, 443 } accept",
            "iifname \"hoistlab0\" oifname != \"hoistlab0\" drop",
            "ip saddr 10.213.77.0/24 oifname != \"hoistlab0\" masquerade")
        // nft keywords as chain names break the table.
        .doesNotContain("chain fwd", "chain post ");
  }

  @Test
  void debootstrapBuildsTheMinbaseWithTheStackAndUsesAptsProxy() {
    Path target = Path.of("/var/lib/hoist-lab/base.building");
    List<String> plain =
        LabBase.debootstrapCommand("http://deb.debian.org/debian", target, Optional.empty());
    assertThat(plain)
        .containsExactly(
            "debootstrap",
            "--variant=minbase",
            "--include=" + String.join(",", LabBase.PACKAGES),
            "bookworm",
            "/var/lib/hoist-lab/base.building",
            "http://deb.debian.org/debian");
    assertThat(
            LabBase.debootstrapCommand("http://m/debian", target, Optional.of("http://proxy:3128")))
        .startsWith("env", "http_proxy=http://proxy:3128", "debootstrap");
    assertThat(LabBase.PACKAGES)
        .contains("openssh-server", "runit", "nginx", "gunicorn", "python3-venv", "sudo");
  }

  @Test
  void theSystemdBaseHasSystemdAndNoRunitAndARecipeOfItsOwn() {
    assertThat(LabBase.packages(Init.SYSTEMD))
        .contains("systemd", "systemd-sysv", "dbus", "openssh-server", "nginx", "haproxy")
        .doesNotContain("runit");
    assertThat(LabBase.recipe(Init.SYSTEMD))
        .startsWith("init=systemd\n")
        .contains(String.join(",", LabBase.SYSTEMD_PACKAGES))
        .isNotEqualTo(LabBase.recipe(Init.RUNIT));
    // The runit recipe is what earlier versions stamped, so a cached runit base stays current.
    assertThat(LabBase.recipe(Init.RUNIT)).startsWith("suite=bookworm\n");
  }

  @Test
  void theRecipeNamesEveryPackageSoAChangedListRebuilds() {
    assertThat(LabBase.recipe())
        .contains("suite=bookworm\n", "variant=minbase\n", "setup=" + BaseSetup.VERSION)
        .contains(String.join(",", LabBase.PACKAGES));
  }

  @Test
  void debootstrapProgressIsALinePerPhaseNotPerPackage() {
    List<String> printed = new ArrayList<>();
    LabBase.DebootstrapProgress p =
        new LabBase.DebootstrapProgress(printed::add, System.nanoTime());
    for (String line :
        List.of(
            "I: Retrieving InRelease",
            "I: Retrieving Packages",
            "I: Validating Packages",
            "I: Retrieving adduser 3.134",
            "I: Retrieving apt 2.6.1",
            "I: Validating adduser 3.134",
            "I: Extracting adduser...",
            "I: Unpacking apt...",
            "I: Configuring apt...",
            "I: Configuring sudo...",
            "W: Failure trying to run: something")) {
      p.accept(line);
    }
    assertThat(printed).hasSize(5);
    assertThat(printed.get(0)).endsWith("retrieving packages");
    assertThat(printed.get(3)).endsWith("configuring packages");
    assertThat(printed.get(4)).isEqualTo("  W: Failure trying to run: something");
  }
}
