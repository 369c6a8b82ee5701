package dev.hoist.cli;

import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.SshTargets;
import dev.hoist.fleet.TargetException;
import dev.hoist.fleet.Targets;
import dev.hoist.project.EnvironmentSpec;
import dev.hoist.project.Inventory;
import dev.hoist.project.NodeSpec;
import dev.hoist.project.SpecException;
import dev.hoist.project.SpecLoader;
import dev.hoist.project.UserConfig;
import dev.hoist.ssh.HostKey;
import dev.hoist.ssh.HostKeys;
import dev.hoist.ssh.SshException;
import dev.hoist.ssh.SshTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hoist node ls|trust}: the inventory, and trusting a node's SSH host key. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the nodes Hoist knows (from hoist.yml and your config file) and trusts their SSH host",
      "keys. Hoist never accepts an unknown host key by itself: 'hoist node trust NODE' shows the key's",
      "fingerprint, and adds it to the node's known_hosts file once you confirm it."
    },
    subcommands = {NodeCommand.Ls.class, NodeCommand.Trust.class})
final class NodeCommand implements Runnable {
  @ParentCommand HoistCommand root;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The project's inventory over the user's, or the user's alone outside a project. */
  static Inventory inventory(Optional<String> project) throws CommandException {
    try {
      Path path = Path.of(project.orElse("."));
      boolean hasProject =
          Files.isRegularFile(path) || Files.isRegularFile(path.resolve("hoist.yml"));
      if (project.isPresent() || hasProject) {
        return UserConfig.inventoryFor(SpecLoader.load(path), UserConfig.defaultPath());
      }
      return UserConfig.inventoryAlone(UserConfig.defaultPath());
    } catch (SpecException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    } catch (IOException e) {
      throw new CommandException(ExitCode.USAGE, "cannot read the inventory: " + e.getMessage());
    }
  }

  /** {@code hoist node ls}. */
  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = "Lists the nodes: address, environments and roles, jump host, where declared.")
  static final class Ls implements Callable<Integer> {
    @ParentCommand NodeCommand parent;

    @Option(
        names = {"-p", "--project"},
        paramLabel = "PROJECT",
        description =
            "Project directory or hoist.yml (default: the current directory, if it has one).")
    String project;

    @Mixin OutputOptions output;

    @Override
    public Integer call() throws CommandException {
      Inventory inventory = inventory(Optional.ofNullable(project));
      Console c = parent.root.console;
      if (output.json) {
        c.json(inventory);
        return ExitCode.OK;
      }
      if (inventory.nodes().isEmpty()) {
        c.line(
            "no nodes yet: declare them under 'nodes:' in hoist.yml or "
                + UserConfig.defaultPath()
                + " (try 'hoist lab up 3' for local test nodes)");
        return ExitCode.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("NODE", "ADDRESS", "ENVIRONMENTS", "JUMP", "DECLARED"));
      for (NodeSpec n : inventory.nodes().values()) {
        List<String> envs = new ArrayList<>();
        for (EnvironmentSpec e : inventory.environments().values()) {
          List<String> roles = e.rolesOf(n.name());
          if (!roles.isEmpty()) {
            envs.add(e.name() + "(" + String.join(",", roles) + ")");
          }
        }
        rows.add(
            List.of(
                n.name(),
                n.address(),
                envs.isEmpty() ? "-" : String.join(" ", envs),
                n.jump().orElse("-"),
                n.origin()));
      }
      new FleetView(c).table(rows, java.util.Set.of());
      return ExitCode.OK;
    }
  }

  /** {@code hoist node trust NODE...}. */
  @Command(
      name = "trust",
      mixinStandardHelpOptions = true,
      description = {
        "Fetches the host key each node offers, shows its fingerprint, and after you confirm it adds",
        "it to the node's known_hosts file (known_hosts: in the node's entry, else ~/.ssh/known_hosts).",
        "Compare the fingerprint with the server's own first, e.g. on its console:",
        "  ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub",
        "A changed key is never replaced here: remove the old line first (the error says how)."
      })
  static final class Trust implements Callable<Integer> {
    @ParentCommand NodeCommand parent;

    @Parameters(paramLabel = "NODE", arity = "0..*", description = "Nodes to trust.")
    List<String> nodes = new ArrayList<>();

    @Option(
        names = {"-e", "--env"},
        paramLabel = "ENV",
        description = "Trust every node of this environment.")
    String env;

    @Option(
        names = {"-p", "--project"},
        paramLabel = "PROJECT",
        description =
            "Project directory or hoist.yml (default: the current directory, if it has one).")
    String project;

    @Option(
        names = {"-y", "--yes"},
        description =
            "Trust without asking (only where the network is trusted," + " e.g. local test nodes).")
    boolean yes;

    @Override
    public Integer call() throws CommandException, InterruptedException {
      if (nodes.isEmpty() && env == null) {
        throw new CommandException(
            ExitCode.USAGE, "name the nodes to trust, e.g. hoist node trust web1, or --env ENV");
      }
      Inventory inventory = inventory(Optional.ofNullable(project));
      List<FleetNode> picked;
      try {
        picked = Targets.select(inventory, Optional.ofNullable(env), nodes);
      } catch (TargetException e) {
        throw new CommandException(ExitCode.USAGE, e.getMessage());
      }
      Console c = parent.root.console;
      HostKeys keys = parent.root.ssh.nodes().hostKeys();
      int failed = 0;
      for (FleetNode node : picked) {
        SshTarget target = SshTargets.of(inventory, node.spec());
        try {
          HostKey key = keys.scan(target);
          c.line(
              node.name()
                  + " ("
                  + target.address()
                  + ") offers "
                  + key.type()
                  + " "
                  + c.bold(key.fingerprint()));
          if (!yes && !confirm()) {
            c.line(node.name() + ": not trusted");
            failed++;
            continue;
          }
          boolean added = keys.trust(target, key);
          c.line(
              node.name()
                  + ": "
                  + (added
                      ? c.green("trusted") + ", added to " + target.knownHosts()
                      : "already trusted in " + target.knownHosts()));
        } catch (SshException e) {
          c.error(e.getMessage());
          failed++;
        } catch (IOException e) {
          c.error(node.name() + ": cannot write " + target.knownHosts() + ": " + e.getMessage());
          failed++;
        }
      }
      return failed == 0 ? ExitCode.OK : ExitCode.FAILED;
    }

    private boolean confirm() throws CommandException {
      java.io.Console console = Console.terminal();
      if (console == null) {
        throw new CommandException(
            ExitCode.USAGE,
            "cannot ask for confirmation without a terminal; check the fingerprint, then run again with --yes");
      }
      String answer = console.readLine("Is this the server's key? Trust it [y/N]: ");
      return answer != null && answer.strip().toLowerCase(java.util.Locale.ROOT).startsWith("y");
    }
  }
}
