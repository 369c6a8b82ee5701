package dev.hoist.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hoist.lab.Init;
import dev.hoist.lab.Lab;
import dev.hoist.lab.LabException;
import dev.hoist.lab.LabLayout;
import dev.hoist.lab.NodeStatus;
import dev.hoist.lab.NodesBlock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hoist lab}: local test nodes reachable over real SSH, for trying and testing multi-node
 * deploys.
 */
@Command(
    name = "lab",
    mixinStandardHelpOptions = true,
    subcommands = {
      LabCommand.Up.class,
      LabCommand.Ls.class,
      LabCommand.Stop.class,
      LabCommand.Down.class
    },
    description = {
      "Runs local test nodes: small Debian 12 servers reachable over real SSH.",
      "They live on this machine, for trying and testing multi-node deploys.",
      "",
      "A lab node has its own root filesystem (a cached Debian base shared",
      "read-only, its changes on its own 2 GiB tmpfs disk), its own address on",
      "the bridge hoistlab0 (lab1 = 10.213.77.11, lab2 = .12, ...; this machine",
      "is 10.213.77.1), its own PID, mount, hostname and IPC namespaces, and",
      "runit running sshd as on a real server (or, with `up --init systemd`,",
      "nodes sd1, sd2, ... at 10.213.77.201, .202, ... whose PID 1 is Debian's",
      "systemd, booted by systemd-nspawn). nginx, gunicorn, python3-venv,",
      "Flask and Django are preinstalled. Users: root; deploy (passwordless",
      "sudo); guarded (sudo asks its password, 'guarded'); all log in with the",
      "lab key. Nodes reach the outside for DNS and HTTP(S) only, through NAT.",
      "",
      "A lab node is NOT a security boundary: it shares this machine's kernel,",
      "and root in a node can change it (/proc/sys is writable). Use it for",
      "tests, never for untrusted code.",
      "",
      "Needs root and debootstrap, iproute2, nftables, util-linux (and",
      "systemd-container for systemd nodes). The first",
      "`lab up` builds the base (about a minute); later ones take a second."
    },
    footer = {
      "",
      "Files:",
      "  /var/lib/hoist-lab/base/          the cached Debian base (kept by down)",
      "  /var/lib/hoist-lab/base-systemd/  the same for systemd nodes",
      "  /var/lib/hoist-lab/id_ed25519     the lab's client key",
      "  /var/lib/hoist-lab/known_hosts    every node's host keys",
      "  /var/lib/hoist-lab/hostkeys/NODE/ a node's host keys, kept across down/up",
      "  /var/lib/hoist-lab/state.json     what the lab created, for `down`",
      "  /run/hoist-lab/NODE/              disk/ (tmpfs), root/ (overlay), console.log",
      "",
      "Start:",
      "  sudo hoist lab up 3",
      "  ssh -i /var/lib/hoist-lab/id_ed25519 \\",
      "    -o UserKnownHostsFile=/var/lib/hoist-lab/known_hosts root@10.213.77.11",
      "More: docs/lab.md"
    })
final class LabCommand implements Runnable {
  @ParentCommand HoistCommand root;

  static final List<String> USERS = List.of("root", "deploy", "guarded");

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  Lab lab() {
    return new Lab(LabLayout.standard(), root.console::progress);
  }

  /** {@code hoist lab up N}. */
  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description = {
        "Starts nodes lab1..labN (sd1..sdN with --init systemd); running ones",
        "are kept, stopped ones restarted.",
        "A stopped node comes back with its disk. Prints the nodes and a nodes:",
        "block to paste into hoist.yml or ~/.config/hoist/config.yml."
      })
  static final class Up implements Callable<Integer> {
    @ParentCommand LabCommand lab;

    @Parameters(
        index = "0",
        arity = "0..1",
        defaultValue = "1",
        paramLabel = "N",
        description = "How many nodes (default: 1; at most 180 runit, 50 systemd nodes).")
    int count;

    @Option(
        names = "--init",
        defaultValue = "runit",
        paramLabel = "INIT",
        description =
            "PID 1 of the nodes: runit (lab1.., the default) or systemd (sd1.., Debian's"
                + " systemd booted by systemd-nspawn; its own cached base).")
    String init;

    @Option(
        names = "--user",
        defaultValue = "root",
        paramLabel = "USER",
        description = "User in the printed nodes: block: root, deploy or guarded (default: root).")
    String user;

    @Option(
        names = "--json",
        description =
            "Print the nodes as JSON: name, address, init, state, pid, user, key, known_hosts.")
    boolean json;

    /** A node as `lab up --json` prints it: everything a test or script needs to connect. */
    record UpNode(
        String name,
        String address,
        String init,
        String state,
        Optional<Long> pid,
        String user,
        String key,
        @JsonProperty("known_hosts") String knownHosts) {}

    @Override
    public Integer call() throws CommandException, InterruptedException {
      if (!USERS.contains(user)) {
        throw new CommandException(
            ExitCode.USAGE, "--user must be one of " + String.join(", ", USERS) + ", not " + user);
      }
      Lab l = lab.lab();
      Init kind = run(() -> Init.parse(init));
      List<NodeStatus> nodes = run(() -> l.up(count, kind));
      LabLayout files = l.layout();
      Console c = lab.root.console;
      if (json) {
        c.json(
            nodes.stream()
                .map(
                    n ->
                        new UpNode(
                            n.name(),
                            n.address(),
                            n.init(),
                            n.state(),
                            n.pid(),
                            user,
                            files.clientKey().toString(),
                            files.knownHosts().toString()))
                .toList());
        return ExitCode.OK;
      }
      table(c, nodes);
      c.line("");
      c.line(c.dim("# for hoist.yml or ~/.config/hoist/config.yml:"));
      Map<String, String> addresses = new LinkedHashMap<>();
      nodes.forEach(n -> addresses.put(n.name(), n.address()));
      c.line(
          NodesBlock.render(addresses, user, files.clientKey(), files.knownHosts())
              .stripTrailing());
      return ExitCode.OK;
    }
  }

  /** {@code hoist lab ls}. */
  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = {
        "Lists the lab's nodes: address, init, state, PID 1, memory (PSS), uptime.",
        "The PID is PID 1 of the node as this machine sees it."
      })
  static final class Ls implements Callable<Integer> {
    @ParentCommand LabCommand lab;

    @Option(
        names = "--json",
        description =
            "Print the nodes as JSON: name, address, init, state, pid, memory_kib,"
                + " uptime_seconds.")
    boolean json;

    @Override
    public Integer call() throws CommandException, InterruptedException {
      List<NodeStatus> nodes = run(() -> lab.lab().list());
      Console c = lab.root.console;
      if (json) {
        c.json(nodes);
      } else if (nodes.isEmpty()) {
        c.line("no lab nodes; start some with: hoist lab up 3");
      } else {
        table(c, nodes);
      }
      return ExitCode.OK;
    }
  }

  /** {@code hoist lab stop NODE...}. */
  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = {
        "Cuts the power of nodes: all their processes die at once.",
        "SIGKILL to each node's PID 1 ends its whole PID namespace. The disk is",
        "kept: `hoist lab up N` starts the node again with its files."
      })
  static final class Stop implements Callable<Integer> {
    @ParentCommand LabCommand lab;

    @Parameters(arity = "1..*", paramLabel = "NODE", description = "Nodes to stop, e.g. lab2.")
    List<String> names;

    @Override
    public Integer call() throws CommandException, InterruptedException {
      List<NodeStatus> nodes = run(() -> lab.lab().stop(names));
      Console c = lab.root.console;
      nodes.forEach(
          n ->
              c.line(
                  n.name()
                      + " "
                      + c.yellow(n.state())
                      + c.dim(" (disk kept; `hoist lab up` restarts it)")));
      return ExitCode.OK;
    }
  }

  /** {@code hoist lab down [NODE...]}. */
  @Command(
      name = "down",
      mixinStandardHelpOptions = true,
      description = {
        "Stops and removes nodes (all when none are named).",
        "Removes their processes, mounts, disks and network namespaces; with the",
        "last node, the bridge and the NAT rules. The cached base, the lab key",
        "and the host keys stay (--purge removes the base too)."
      })
  static final class Down implements Callable<Integer> {
    @ParentCommand LabCommand lab;

    @Parameters(
        arity = "0..*",
        paramLabel = "NODE",
        description = "Nodes to remove (default: all).")
    List<String> names = List.of();

    @Option(
        names = "--purge",
        description = "Also remove the cached base (the next `lab up` builds it again).")
    boolean purge;

    @Override
    public Integer call() throws CommandException, InterruptedException {
      List<String> removed = run(() -> lab.lab().down(names, purge));
      Console c = lab.root.console;
      c.line(
          removed.isEmpty() ? "no lab nodes to remove" : "removed " + String.join(", ", removed));
      if (purge) {
        c.line("removed the cached base");
      }
      return ExitCode.OK;
    }
  }

  static void table(Console c, List<NodeStatus> nodes) {
    c.line(
        c.bold(
            String.format(
                "%-7s %-14s %-8s %-8s %8s %9s %7s",
                "NODE", "ADDRESS", "INIT", "STATE", "PID", "MEMORY", "UPTIME")));
    for (NodeStatus n : nodes) {
      String state = String.format("%-8s", n.state());
      c.line(
          String.format(
              "%-7s %-14s %-8s %s %8s %9s %7s",
              n.name(),
              n.address(),
              n.init(),
              n.running() ? c.green(state) : c.yellow(state),
              n.pid().map(String::valueOf).orElse("-"),
              n.memoryKib().map(k -> String.format("%.1f MiB", k / 1024.0)).orElse("-"),
              n.uptimeSeconds().map(StatusCommand::uptime).orElse("-")));
    }
  }

  /** A lab call; its failures become exit codes. */
  interface LabCall<T> {
    T call() throws LabException, InterruptedException;
  }

  static <T> T run(LabCall<T> call) throws CommandException, InterruptedException {
    try {
      return call.call();
    } catch (LabException e) {
      throw new CommandException(ExitCode.FAILED, e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    }
  }
}
