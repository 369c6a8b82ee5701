package dev.hoist.lab;

import dev.hoist.lab.LabState.NodeRecord;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One node on this machine: its disk (a size-limited tmpfs holding the overlay's upper layer over
 * the base), the files that make it this node, and its PID 1, started detached in namespaces of its
 * own.
 */
final class LabNode {
  /** Each node's disk is this small, so a test can fill it. */
  static final String DISK_SIZE = "2g";

  /** Sets another size for new nodes' disks (e.g. {@code 8g}): a benchmark's gigabyte database. */
  static final String DISK_VARIABLE = "HOIST_LAB_DISK";

  static final String INIT = "/usr/local/sbin/hoist-lab-init";
  static final List<String> USERS = List.of("root", "deploy", "guarded");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  private final NodeSpec spec;
  private final LabLayout layout;
  private final Runner runner;

  LabNode(NodeSpec spec, LabLayout layout, Runner runner) {
    this.spec = spec;
    this.layout = layout;
    this.runner = runner;
  }

  static List<String> diskMount(NodeSpec node, Path disk, String size) {
    return List.of(
        "mount",
        "-t",
        "tmpfs",
        "-o",
        "size=" + size + ",mode=0755",
        "hoist-" + node.name(),
        disk.toString());
  }

  /** {@value #DISK_VARIABLE}'s size when set (a number and m or g), else {@value #DISK_SIZE}. */
  static String diskSize(String wanted) throws LabException {
    if (wanted == null || wanted.isEmpty()) {
      return DISK_SIZE;
    }
    if (!wanted.matches("[1-9][0-9]{0,5}[mg]")) {
      throw new LabException(
          DISK_VARIABLE
              + "="
              + wanted
              + " is not a size: give a number and m or g, e.g. "
              + DISK_VARIABLE
              + "=8g");
    }
    return wanted;
  }

  static List<String> overlayMount(NodeSpec node, Path base, Path disk, Path root) {
    return List.of(
        "mount",
        "-t",
        "overlay",
        "-o",
        "lowerdir="
            + base
            + ",upperdir="
            + disk.resolve("upper")
            + ",workdir="
            + disk.resolve("work"),
        "hoist-" + node.name(),
        root.toString());
  }

  /**
   * Enters the node's network namespace, then new mount, PID, UTS and IPC namespaces rooted in the
   * node's root, where the init script becomes PID 1. --kill-child: if this unshare dies, so does
   * the node.
   */
  static List<String> startCommand(NodeSpec node, Path root) {
    return List.of(
        "nsenter",
        "--net=" + LabNetwork.netnsPath(node),
        "unshare",
        "--mount",
        "--pid",
        "--uts",
        "--ipc",
        "--fork",
        "--kill-child",
        "--root=" + root,
        INIT,
        node.name());
  }

  /**
   * Boots Debian's systemd in the node's root, in the node's network namespace. The host runs no
   * systemd, so nothing registers with machined and no scope unit is made (--register=no
   * --keep-unit); the node's own resolv.conf, hosts and timezone stay as the lab wrote them. Its
   * console (systemd's boot messages) goes to the console log.
   */
  static List<String> nspawnCommand(NodeSpec node, Path root) {
    return List.of(
        "systemd-nspawn",
        "--quiet",
        "--register=no",
        "--keep-unit",
        "--boot",
        "--directory=" + root,
        "--machine=" + node.name(),
        "--network-namespace-path=" + LabNetwork.netnsPath(node),
        "--resolv-conf=off",
        "--timezone=off",
        "--link-journal=no",
        "--console=read-only");
  }

  /**
   * Mounts the node's disk and root where they are not mounted yet; a new disk starts as an empty
   * layer.
   */
  List<String> mount() throws LabException, InterruptedException {
    Path disk = layout.disk(spec.name());
    Path root = layout.root(spec.name());
    try {
      Files.createDirectories(disk);
      Files.createDirectories(root);
      if (!Mounts.isMountPoint(disk)) {
        runner.run(diskMount(spec, disk, diskSize(System.getenv(DISK_VARIABLE))));
        Files.createDirectories(disk.resolve("upper"));
        Files.createDirectories(disk.resolve("work"));
      }
    } catch (IOException e) {
      throw new LabException("cannot prepare " + disk + ": " + e.getMessage(), e);
    }
    if (!Mounts.isMountPoint(root)) {
      runner.run(overlayMount(spec, layout.base(spec.init()), disk, root));
    }
    return List.of(disk.toString(), root.toString());
  }

  /**
   * Writes what makes the base this node: name, hosts, resolver, host keys, authorized keys, init.
   */
  void writeFiles(LabKeys keys, List<NodeSpec> peers) throws LabException {
    Path root = layout.root(spec.name());
    try {
      NodeFiles.write(root.resolve("etc/hostname"), spec.name() + "\n", "rw-r--r--");
      writeHosts(peers);
      NodeFiles.write(root.resolve("etc/resolv.conf"), NodeFiles.resolvConf(), "rw-r--r--");
      for (String type : LabKeys.HOST_KEY_TYPES) {
        Path key = keys.hostKey(spec, type);
        String name = key.getFileName().toString();
        NodeFiles.write(root.resolve("etc/ssh/" + name), Files.readString(key), "rw-------");
        NodeFiles.write(
            root.resolve("etc/ssh/" + name + ".pub"),
            Files.readString(Path.of(key + ".pub")),
            "rw-r--r--");
      }
      String authorized = keys.clientPublicKey();
      for (String user : USERS) {
        NodeFiles.authorize(root, user, authorized);
      }
      if (spec.init() == Init.SYSTEMD) {
        return;
      }
      try (InputStream init = LabNode.class.getResourceAsStream("init.sh")) {
        NodeFiles.write(
            root.resolve(INIT.substring(1)),
            new String(init.readAllBytes(), StandardCharsets.UTF_8),
            "rwxr-xr-x");
      }
    } catch (IOException e) {
      throw new LabException(
          "cannot write " + spec.name() + "'s files under " + root + ": " + e.getMessage(), e);
    }
  }

  /** /etc/hosts naming every lab node; rewritten on running nodes too when the lab grows. */
  void writeHosts(List<NodeSpec> peers) throws IOException {
    NodeFiles.write(
        layout.root(spec.name()).resolve("etc/hosts"), NodeFiles.hosts(peers), "rw-r--r--");
  }

  String name() {
    return spec.name();
  }

  /** Starts the node's PID 1 detached; returns its record once PID 1 exists. */
  NodeRecord start(List<String> mounts) throws LabException, InterruptedException {
    Path console = layout.console(spec.name());
    try {
      Files.writeString(
          console,
          "--- hoist lab: starting " + spec.name() + " at " + Instant.now() + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new LabException("cannot write " + console + ": " + e.getMessage(), e);
    }
    Path root = layout.root(spec.name());
    long holder =
        runner.startDetached(
            spec.init() == Init.SYSTEMD ? nspawnCommand(spec, root) : startCommand(spec, root),
            console);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Procfs.Stat> init = Procfs.namespaceInit(holder);
      if (init.isPresent()) {
        return new NodeRecord(
            spec.name(),
            spec.address(),
            spec.netns(),
            spec.hostVeth(),
            holder,
            init.get().pid(),
            init.get().startTicks(),
            mounts,
            Instant.now().getEpochSecond());
      }
      if (Procfs.stat(holder).map(Procfs.Stat::exited).orElse(true)) {
        break;
      }
      Thread.sleep(10);
    }
    throw new LabException(
        spec.name()
            + " did not start; its console log "
            + console
            + " ends with:\n"
            + NodeFiles.tail(console, 10));
  }

  /**
   * Waits until the node's sshd greets on port 22 and, on a systemd node, until it lets users log
   * in, so that `lab up` returns usable nodes. sshd answers before systemd-user-sessions has
   * removed /run/nologin, and until then pam_nologin refuses every user but root ("System is
   * booting up"). That file is looked up through the node's PID 1 ({@code pid1}), in its own
   * mounts.
   */
  void awaitSsh(Duration timeout, long pid1) throws LabException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(spec.address(), 22), 1000);
        s.setSoTimeout(2000);
        byte[] greeting = s.getInputStream().readNBytes(4);
        if (new String(greeting, StandardCharsets.US_ASCII).equals("SSH-")) {
          last = "sshd answers, but /run/nologin still refuses users other than root";
          if (spec.init() != Init.SYSTEMD || !bootRefusesLogins(pid1)) {
            return;
          }
        }
      } catch (IOException e) {
        last = e.getMessage();
      }
      Thread.sleep(50);
    }
    throw new LabException(
        spec.name()
            + "'s sshd did not answer on "
            + spec.address()
            + ":22 within "
            + timeout.toSeconds()
            + " s ("
            + last
            + "); its console log "
            + layout.console(spec.name())
            + " ends with:\n"
            + NodeFiles.tail(layout.console(spec.name()), 10));
  }

  private static boolean bootRefusesLogins(long pid1) {
    return Files.exists(
        Path.of("/proc", Long.toString(pid1), "root", "run", "nologin"), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * A power cut: SIGKILL to PID 1 takes the node's whole PID namespace with it; then anything left
   * in its network namespace (the waiting unshare), and the recorded holder when it is still the
   * parent of that PID 1 (systemd-nspawn, which lives outside the node's network namespace). Only
   * recorded or namespace-member PIDs are touched.
   */
  static void kill(NodeRecord node) throws LabException, InterruptedException {
    List<Long> pids = new ArrayList<>();
    boolean initRuns = Procfs.running(node.pid(), node.pidStartTicks());
    if (initRuns) {
      pids.add(node.pid());
      Procfs.stat(node.pid())
          .filter(s -> s.ppid() == node.holderPid() && node.holderPid() > 1)
          .ifPresent(s -> pids.add(s.ppid()));
    }
    netnsId(node.spec()).ifPresent(ns -> Procfs.sharingNamespace("net", ns).forEach(pids::add));
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    // This machine's PID 1 reaps orphans late: a zombie counts as gone, only a live state does not.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    for (long pid : pids) {
      while (Procfs.stat(pid).filter(s -> !s.exited()).isPresent()) {
        if (System.nanoTime() > deadline) {
          throw new LabException(
              "pid " + pid + " of " + node.name() + " is still alive 10 s after SIGKILL");
        }
        Thread.sleep(5);
      }
    }
  }

  /** "net:[4026532301]" for the node's named network namespace, as /proc/PID/ns/net shows it. */
  private static Optional<String> netnsId(NodeSpec node) {
    try {
      return Optional.of(
          "net:[" + Files.getAttribute(LabNetwork.netnsPath(node), "unix:ino") + "]");
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  /**
   * Unmounts the node's root and disk (matched by path, deepest first) and removes its directory.
   */
  void remove(Consumer<String> warn) throws LabException, InterruptedException {
    Path dir = layout.node(spec.name());
    for (Path mount : Mounts.under(dir)) {
      if (!runner.attempt(List.of("umount", mount.toString()))) {
        warn.accept(mount + " is busy; detaching it lazily");
        runner.run(List.of("umount", "--lazy", mount.toString()));
      }
    }
    try {
      for (Path p :
          List.of(
              layout.console(spec.name()),
              // systemd-nspawn's lock beside the root it booted.
              dir.resolve(".#root.lck"),
              layout.root(spec.name()),
              layout.disk(spec.name()),
              dir)) {
        // Plain deletes: they refuse a non-empty directory, so nothing mounted can be emptied by
        // mistake.
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new LabException("cannot remove " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * A record of what the node looks like now (running or stopped), with memory and uptime while it
   * runs.
   */
  static NodeStatus status(NodeSpec spec, Optional<NodeRecord> record) {
    if (record.isEmpty() || !Procfs.running(record.get().pid(), record.get().pidStartTicks())) {
      return new NodeStatus(
          spec.name(),
          spec.address(),
          spec.init().label(),
          NodeStatus.STOPPED,
          Optional.empty(),
          Optional.empty(),
          Optional.empty());
    }
    long pid = record.get().pid();
    long pss =
        Procfs.namespace(pid, "pid")
            .map(ns -> Procfs.sharingNamespace("pid", ns).stream().mapToLong(Procfs::pssKib).sum())
            .orElse(0L);
    long uptime =
        (long)
            (Procfs.uptimeSeconds()
                - record.get().pidStartTicks() / (double) Procfs.TICKS_PER_SECOND);
    return new NodeStatus(
        spec.name(),
        spec.address(),
        spec.init().label(),
        NodeStatus.RUNNING,
        Optional.of(pid),
        Optional.of(pss),
        Optional.of(Math.max(0, uptime)));
  }

  static boolean isRunning(NodeRecord record) {
    return Procfs.running(record.pid(), record.pidStartTicks());
  }
}
