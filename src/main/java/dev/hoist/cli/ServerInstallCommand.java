package dev.hoist.cli;

import dev.hoist.engine.Engine;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.node.Agent;
import dev.hoist.node.LocalNode;
import dev.hoist.project.SpecException;
import dev.hoist.server.ServerConfig;
import dev.hoist.server.ServerConfigLoader;
import dev.hoist.server.install.InstallLayout;
import dev.hoist.server.install.ServerInstall;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hoist server install --config FILE}: runs the server for good on this machine. */
@Command(
    name = "install",
    mixinStandardHelpOptions = true,
    description = {
      "Sets this machine up to run 'hoist server --config FILE' for good, as root:",
      "the system user hoist (home: the data directory, 0700), its own SSH key (ed25519) whose",
      "public half is printed for the nodes' authorized_keys, this hoist under",
      "/usr/local/lib/hoist-server, and a service: a systemd unit when systemd is PID 1, a runit",
      "service otherwise. The service runs as hoist, each secret_file handed to it (0600); when",
      "a project has no env: (it deploys to this machine) it runs as root, builds still as hoist.",
      "A second run changes nothing and says so; --dry-run shows the plan."
    })
final class ServerInstallCommand implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      required = true,
      description = "The server's server.yml (readable by the user the server runs as).")
  Path config;

  @Option(names = "--dry-run", description = "Show what would change; change nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Console console = Console.system();
    ServerConfig server;
    try {
      server = ServerConfigLoader.load(config);
    } catch (SpecException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    } catch (IOException e) {
      throw new CommandException(ExitCode.USAGE, "cannot read " + config + ": " + e.getMessage());
    }
    InstallLayout layout;
    try {
      layout =
          InstallLayout.of(
              server,
              Path.of(ProcessHandle.current().info().command().orElse("/usr/bin/java")),
              runningJar(),
              supervisor());
    } catch (IllegalArgumentException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    }
    ServerInstall.Report report;
    try {
      report =
          new ServerInstall(new Engine(new Agent(new LocalNode())), layout)
              .run(dryRun, line -> console.progress(line));
    } catch (ServerInstall.Failed e) {
      throw new CommandException(ExitCode.FAILED, e.getMessage());
    }
    String how =
        (layout.supervisor() == Supervisor.SYSTEMD ? "systemd" : "runit")
            + ", as "
            + layout.serviceUser();
    if (report.changes().isEmpty()) {
      console.line("nothing to change: " + InstallLayout.SERVICE + " is installed (" + how + ")");
    } else {
      console.line((dryRun ? "would change (" : "changed (") + how + "):");
      report.changes().forEach(c -> console.line("  " + c));
    }
    if (dryRun) {
      console.line("nothing was changed (--dry-run)");
      return ExitCode.OK;
    }
    console.line("");
    if (layout.asRoot()) {
      console.line(
          "The server runs as root: "
              + String.join(", ", layout.localProjects())
              + " deploy"
              + (layout.localProjects().size() == 1 ? "s" : "")
              + " to this machine (no env:), which needs root; builds run as "
              + InstallLayout.USER
              + ". Its data dir and key are root's, and git push to "
              + InstallLayout.USER
              + "@ is not available (docs/security.md).");
    }
    console.line("The server's SSH key, for the authorized_keys of each node it deploys to:");
    console.line("  " + publicKey(layout));
    if (!layout.asRoot()) {
      console.line("Each pusher's key goes into " + layout.authorizedKeys() + " as:");
      console.line("  " + layout.pusherLine("ssh-ed25519 AAAA... alice@laptop"));
    }
    return ExitCode.OK;
  }

  private static Path runningJar() throws CommandException {
    try {
      Path jar =
          Path.of(
              ServerInstallCommand.class
                  .getProtectionDomain()
                  .getCodeSource()
                  .getLocation()
                  .toURI());
      if (Files.isRegularFile(jar) && jar.toString().endsWith(".jar")) {
        return jar;
      }
    } catch (URISyntaxException | SecurityException e) {
      // said below
    }
    throw new CommandException(
        ExitCode.USAGE, "hoist server install must run from hoist.jar (./hoist or java -jar)");
  }

  private static Supervisor supervisor() {
    try {
      String init = Files.readString(Path.of("/proc/1/comm")).strip();
      return "systemd".equals(init) ? Supervisor.SYSTEMD : Supervisor.RUNIT;
    } catch (IOException e) {
      return Supervisor.RUNIT;
    }
  }

  // Read as its owner: root reads nothing in a directory the hoist user can write.
  private static String publicKey(InstallLayout layout) throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder(
                  "runuser", "-u", layout.serviceUser(), "--", "cat", layout.key() + ".pub")
              .redirectInput(Redirect.from(new java.io.File("/dev/null")))
              .redirectError(Redirect.DISCARD)
              .start();
      String key = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && key.startsWith("ssh-")) {
        return key;
      }
    } catch (IOException e) {
      // said below
    }
    return "(cannot read " + layout.key() + ".pub)";
  }
}
