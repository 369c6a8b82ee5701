package dev.hoist.lab;

import dev.hoist.node.ExecRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a fresh debootstrap tree into the node base: the host's apt configuration, no sshd host
 * keys, the test users and their sudo rules, an sshd tuned for tests, and only sshd enabled (in
 * runit, or in systemd for a systemd base).
 */
final class BaseSetup {
  /** Bump when what this class writes changes, so that cached bases are rebuilt. */
  static final int VERSION = 1;

  /** Bump when only what a systemd base gets changes (the runit base then stays cached). */
  static final int SYSTEMD_VERSION = 1;

  static final String SSHD_CONFIG =
      """
      # Written by hoist lab: a local test node. Keys only; host keys are the node's own.
      HostKey /etc/ssh/ssh_host_ed25519_key
      HostKey /etc/ssh/ssh_host_ecdsa_key
      PasswordAuthentication no
      KbdInteractiveAuthentication no
      UseDNS no
      # Tests open many connections at once; the default MaxStartups (10:30:100) drops bursts.
      MaxStartups 200:30:400
      MaxSessions 100
      """;

  /**
   * deploy: passwordless sudo, as Hoist's docs recommend; guarded: sudo asks for its password
   * ("guarded").
   */
  static final String SUDOERS =
      """
      # Written by hoist lab.
      deploy ALL=(ALL:ALL) NOPASSWD: ALL
      guarded ALL=(ALL:ALL) ALL
      """;

  private final Runner runner;
  private final Path root;
  private final Init init;

  BaseSetup(Runner runner, Path root, Init init) {
    this.runner = runner;
    this.root = root;
    this.init = init;
  }

  void apply() throws IOException, LabException, InterruptedException {
    copyAptConfig();
    Files.copy(
        Path.of("/etc/resolv.conf"),
        root.resolve("etc/resolv.conf"),
        StandardCopyOption.REPLACE_EXISTING);
    // debootstrap generated one set of host keys; every node gets its own at start instead.
    deleteMatching(root.resolve("etc/ssh"), "ssh_host_*");
    write("etc/ssh/sshd_config.d/hoist-lab.conf", SSHD_CONFIG, "rw-r--r--");
    // A password field of '*' (not '!', which means locked) lets sshd accept key logins.
    chroot(
        "useradd",
        "--create-home",
        "--shell",
        "/bin/bash",
        "--password",
        "*",
        "--comment",
        "hoist lab",
        "deploy");
    chroot(
        "useradd",
        "--create-home",
        "--shell",
        "/bin/bash",
        "--comment",
        "hoist lab, sudo asks a password",
        "guarded");
    runner.run(
        new ExecRequest(
            inChroot("chpasswd"),
            "guarded:guarded\n".getBytes(StandardCharsets.UTF_8),
            Runner.TIMEOUT,
            null));
    write("etc/sudoers.d/hoist-lab", SUDOERS, "r--r-----");
    chroot("visudo", "--check", "--file", "/etc/sudoers.d/hoist-lab");
    if (init == Init.SYSTEMD) {
      systemdServices();
    } else {
      // runit's default-syslog is a placeholder (`sleep 6000`); a node runs sshd and what a deploy
      // adds.
      Files.deleteIfExists(root.resolve("etc/runit/runsvdir/default/default-syslog"));
      Path ssh = root.resolve("etc/runit/runsvdir/default/ssh");
      if (!Files.isSymbolicLink(ssh)) {
        Files.createSymbolicLink(ssh, Path.of("/etc/sv/ssh"));
      }
    }
    // The downloaded .debs are not needed once installed (~100 MB).
    deleteMatching(root.resolve("var/cache/apt/archives"), "*.deb");
  }

  /**
   * sshd on at boot (Debian's postinst enabled it already; made sure). nginx and HAProxy off until
   * a deploy's `systemctl enable --now` starts them, as on a runit node (and an lb node's port 80
   * stays free); apt's daily timers masked: they would take the dpkg lock and the CPU mid-test.
   */
  private void systemdServices() throws IOException, LabException, InterruptedException {
    chroot("systemctl", "enable", "ssh.service");
    chroot("systemctl", "disable", "nginx.service", "haproxy.service");
    chroot("systemctl", "mask", "apt-daily.timer", "apt-daily-upgrade.timer");
  }

  /**
   * The host's sources replace the one debootstrap wrote, with apt.conf.d, preferences and
   * keyrings.
   */
  private void copyAptConfig() throws IOException {
    Files.deleteIfExists(root.resolve("etc/apt/sources.list"));
    for (Path file : HostApt.filesToCopy()) {
      Path target = root.resolve(file.toString().substring(1));
      Files.createDirectories(target.getParent());
      Files.copy(
          file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  private void chroot(String... argv) throws LabException, InterruptedException {
    runner.run(inChroot(argv));
  }

  /** The command run inside the base, with the base's own PATH rather than the invoking user's. */
  private List<String> inChroot(String... argv) {
    List<String> full =
        new ArrayList<>(
            List.of(
                "chroot", root.toString(), "/usr/bin/env", "PATH=" + Runner.CLEAN_ENV.get("PATH")));
    full.addAll(List.of(argv));
    return full;
  }

  private void write(String path, String text, String mode) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
  }

  private static void deleteMatching(Path dir, String glob) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
      for (Path f : files) {
        Files.delete(f);
      }
    }
  }
}
