package dev.hoist.server.install;

import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.ShellWords;
import dev.hoist.server.ProjectConfig;
import dev.hoist.server.ServerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where {@code hoist server install} puts things and what it writes: the {@code hoist} user whose
 * home is the data directory, the launcher and jar under {@code /usr/local/lib/hoist-server}, and
 * the service that runs {@code hoist server --config FILE} (a systemd unit, or a runit service when
 * systemd is not PID 1): as that user, or as root when a project deploys to this machine ({@code
 * localProjects}), since a deploy here needs root. The texts are pure functions, tested as such.
 */
public record InstallLayout(
    Path config,
    Path data,
    Path java,
    Path jar,
    Supervisor supervisor,
    List<String> localProjects,
    List<Path> secretFiles) {
  public static final String USER = "hoist";
  public static final String SERVICE = "hoist-server";
  public static final Path LIB = Path.of("/usr/local/lib/hoist-server");
  public static final Path LAUNCHER = LIB.resolve("hoist");
  public static final Path INSTALLED_JAR = LIB.resolve("hoist.jar");
  public static final Path LOG = Path.of("/var/log/hoist-server");
  // Paths go into a unit file, a run script and an authorized_keys option: plain ones only, so no
  // quoting rule of any of the three can be got wrong (systemd reads % and \ itself).
  private static final Pattern PLAIN = Pattern.compile("/[A-Za-z0-9._/+-]*");

  /**
   * @throws IllegalArgumentException naming a path that is not absolute and plain
   */
  public InstallLayout {
    localProjects = List.copyOf(localProjects);
    secretFiles = List.copyOf(secretFiles);
    for (Path p : List.of(config, data, java)) {
      if (!PLAIN.matcher(p.toString()).matches() || p.toString().contains("..")) {
        throw new IllegalArgumentException(
            p
                + " cannot go into a service file: use an absolute path of letters, digits and"
                + " ._/+- only");
      }
    }
  }

  /**
   * Where {@code config}'s server goes, run by {@code java} from {@code jar}.
   *
   * @throws IllegalArgumentException naming a path that is not absolute and plain
   */
  public static InstallLayout of(ServerConfig config, Path java, Path jar, Supervisor supervisor) {
    return new InstallLayout(
        config.file().toAbsolutePath().normalize(),
        config.data(),
        java,
        jar,
        supervisor,
        config.projects().values().stream()
            .filter(p -> p.env().isEmpty())
            .map(ProjectConfig::name)
            .toList(),
        config.projects().values().stream()
            .flatMap(p -> p.secretFile().stream())
            .distinct()
            .toList());
  }

  /**
   * Whether the service runs as root: a project deploys to this machine, which needs root
   * (packages, nginx, supervisor units); its builds still run as {@code hoist}.
   */
  public boolean asRoot() {
    return !localProjects.isEmpty();
  }

  /** Who runs the service, and so owns the data directory and the server's SSH key. */
  public String serviceUser() {
    return asRoot() ? "root" : USER;
  }

  Path sshDir() {
    return data.resolve(".ssh");
  }

  /** The server's own key, for reaching the nodes it deploys to. */
  public Path key() {
    return sshDir().resolve("id_ed25519");
  }

  public Path authorizedKeys() {
    return sshDir().resolve("authorized_keys");
  }

  /** {@code /usr/local/lib/hoist-server/hoist}: the installed jar on the JVM that installed it. */
  String launcher() {
    return String.join(
        "\n",
        "#!/bin/sh",
        "# Written by 'hoist server install'.",
        "exec "
            + ShellWords.quote(java.toString())
            + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "
            + INSTALLED_JAR
            + " \"$@\"",
        "");
  }

  /** The service's command line, for the unit and the run script. */
  String command() {
    return LAUNCHER + " server --config " + config;
  }

  /** The forced command of a pusher's key: the git-hook, nothing else. */
  public String forcedCommand() {
    return LAUNCHER + " server git-hook --config " + config;
  }

  /** The authorized_keys line for one pusher's public key. */
  public String pusherLine(String publicKey) {
    return "restrict,command=\"" + forcedCommand() + "\" " + publicKey.strip();
  }

  String unit() {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "# Written by 'hoist server install'; docs/server.md.",
                "[Unit]",
                "Description=Hoist server: deploys on push (" + config + ")",
                "After=network-online.target",
                "Wants=network-online.target",
                "",
                "[Service]"));
    if (asRoot()) {
      // A deploy to this machine writes /etc and /usr and makes files its apps read: root, the
      // usual umask, and no ProtectSystem; HOME is the root-owned data dir (its SSH key).
      lines.addAll(List.of("Environment=HOME=" + data, "ExecStart=" + command()));
      lines.addAll(List.of("Restart=on-failure", "RestartSec=2", "PrivateTmp=yes", "UMask=0022"));
    } else {
      lines.addAll(List.of("User=" + USER, "Group=" + USER, "ExecStart=" + command()));
      lines.addAll(List.of("Restart=on-failure", "RestartSec=2"));
      // The server needs no new privileges, no shared /tmp, and writes only its data dir.
      lines.addAll(
          List.of("NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=full", "UMask=0077"));
    }
    lines.addAll(List.of("", "[Install]", "WantedBy=multi-user.target", ""));
    return String.join("\n", lines);
  }

  String runScript() {
    return String.join(
        "\n",
        "#!/bin/sh",
        "# Written by 'hoist server install'; docs/server.md.",
        "exec 2>&1",
        asRoot() ? "umask 022" : "umask 077",
        "exec "
            + (asRoot() ? "" : "chpst -u " + USER + ":" + USER + " ")
            + "env HOME="
            + data
            + " "
            + command(),
        "");
  }

  String logScript() {
    return String.join("\n", "#!/bin/sh", "exec svlogd -tt " + LOG, "");
  }
}
