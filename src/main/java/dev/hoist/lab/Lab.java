package dev.hoist.lab;

import dev.hoist.lab.LabState.NodeRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * {@code hoist lab}: starts, lists, stops and removes local test nodes. Every change holds the lab
 * lock and saves the state after each step, so an interrupted command leaves a state that {@code
 * down} can undo.
 */
public final class Lab {
  private static final List<String> UP_TOOLS =
      List.of("ssh-keygen", "ip", "unshare", "nsenter", "setsid", "mount");
  private static final List<String> BUILD_TOOLS = List.of("debootstrap", "chroot");
  private static final List<String> DOWN_TOOLS = List.of("ip", "umount");
  private static final Duration SSH_READY = Duration.ofSeconds(30);

  private final LabLayout layout;
  private final Consumer<String> progress;
  private final Runner runner = new Runner();

  /** {@code progress} receives what the lab is doing and warnings, a line at a time. */
  public Lab(LabLayout layout, Consumer<String> progress) {
    this.layout = layout;
    this.progress = progress;
  }

  public LabLayout layout() {
    return layout;
  }

  /**
   * Makes lab1..lab{count} run: running ones are kept, missing or stopped ones started. Returns
   * them.
   */
  public List<NodeStatus> up(int count) throws LabException, InterruptedException {
    return up(count, Init.RUNIT);
  }

  /**
   * Makes nodes 1..count of this kind (lab1.. for runit, sd1.. for systemd) run: running ones are
   * kept, missing or stopped ones started. Returns them.
   */
  public List<NodeStatus> up(int count, Init init) throws LabException, InterruptedException {
    List<NodeSpec> wanted =
        IntStream.rangeClosed(1, count).mapToObj(i -> NodeSpec.of(init, i)).toList();
    HostCheck.requireRoot("start lab nodes");
    LabBase base = new LabBase(layout, runner, progress, init);
    List<String> tools = new ArrayList<>(UP_TOOLS);
    if (!base.isCurrent()) {
      tools.addAll(BUILD_TOOLS);
    }
    if (init == Init.SYSTEMD) {
      tools.add("systemd-nspawn");
    }
    HostCheck.requireTools(tools);
    HostCheck.requireOverlayfs();
    try (LabLock lock = LabLock.acquire(layout, progress)) {
      LabState state = LabState.load(layout.state());
      base.ensure(state.nodes().values().stream().anyMatch(r -> r.spec().init() == init));
      LabKeys keys = new LabKeys(layout, runner);
      keys.ensureClientKey();
      for (NodeSpec n : wanted) {
        keys.ensureHostKeys(n);
      }
      keys.writeKnownHosts();
      LabNetwork network = new LabNetwork(runner, progress);
      state = state.withNetwork(network.ensureHost(state.network()));
      state.save(layout.state());
      List<NodeSpec> all = union(state, wanted);
      List<LabNode> started = new ArrayList<>();
      for (NodeSpec n : wanted) {
        NodeRecord known = state.nodes().get(n.name());
        if (known != null && LabNode.isRunning(known)) {
          continue;
        }
        // One node at a time: parallel veth creation races in the kernel.
        network.attach(n);
        LabNode node = new LabNode(n, layout, runner);
        List<String> mounts = node.mount();
        // Recorded before it starts, so that a crash from here on leaves something for `down` to
        // find.
        state =
            state.withNode(
                new NodeRecord(n.name(), n.address(), n.netns(), n.hostVeth(), 0, 0, 0, mounts, 0));
        state.save(layout.state());
        node.writeFiles(keys, all);
        state = state.withNode(node.start(mounts));
        state.save(layout.state());
        progress.accept(
            "lab: "
                + n.name()
                + " "
                + (known == null ? "started" : "restarted")
                + " at "
                + n.address());
        started.add(node);
      }
      refreshHosts(state, all, started);
      for (LabNode node : started) {
        node.awaitSsh(SSH_READY, state.nodes().get(node.name()).pid());
      }
      return statuses(state, wanted);
    }
  }

  /** Every node the lab knows, running or stopped; needs no root beyond reading the state file. */
  public List<NodeStatus> list() throws LabException {
    LabState state = LabState.load(layout.state());
    return statuses(state, state.nodes().values().stream().map(NodeRecord::spec).toList());
  }

  /**
   * Cuts the power of the named nodes: their processes die at once, their disks stay for the next
   * `up`.
   */
  public List<NodeStatus> stop(List<String> names) throws LabException, InterruptedException {
    HostCheck.requireRoot("stop lab nodes");
    try (LabLock lock = LabLock.acquire(layout, progress)) {
      LabState state = LabState.load(layout.state());
      List<NodeSpec> specs = new ArrayList<>();
      for (String name : names) {
        NodeRecord r = state.nodes().get(name);
        if (r == null) {
          throw new IllegalArgumentException(
              "there is no lab node " + name + " (see: hoist lab ls)");
        }
        LabNode.kill(r);
        specs.add(r.spec());
      }
      return statuses(state, specs);
    }
  }

  /**
   * Removes the named nodes (all when none are named) and, with the last one, the bridge and NAT;
   * with {@code purge} the cached base too. Nodes the state file lost are found by their namespaces
   * and directories. Returns the names removed.
   */
  public List<String> down(List<String> names, boolean purge)
      throws LabException, InterruptedException {
    HostCheck.requireRoot("remove lab nodes");
    HostCheck.requireTools(DOWN_TOOLS);
    try (LabLock lock = LabLock.acquire(layout, progress)) {
      LabState state = LabState.load(layout.state());
      List<NodeSpec> targets =
          names.isEmpty() ? everyNode(state) : names.stream().map(NodeSpec::named).toList();
      if (purge
          && state.nodes().keySet().stream()
              .anyMatch(n -> targets.stream().noneMatch(t -> t.name().equals(n)))) {
        throw new LabException(
            "--purge removes the base every node uses: run `hoist lab down --purge` without names");
      }
      LabNetwork network = new LabNetwork(runner, progress);
      List<String> removed = new ArrayList<>();
      for (NodeSpec n : targets) {
        NodeRecord r = state.nodes().get(n.name());
        if (r == null
            && !Files.exists(LabNetwork.netnsPath(n))
            && !Files.exists(layout.node(n.name()))) {
          progress.accept("lab: there is no node " + n.name() + " to remove");
          continue;
        }
        LabNode.kill(
            r != null
                ? r
                : new NodeRecord(
                    n.name(), n.address(), n.netns(), n.hostVeth(), 0, 0, 0, List.of(), 0));
        new LabNode(n, layout, runner).remove(progress);
        network.detach(n);
        state = state.withoutNode(n.name());
        state.save(layout.state());
        removed.add(n.name());
      }
      if (state.nodes().isEmpty()) {
        network.removeHost(state.network());
        deleteIfEmpty(layout.run());
        try {
          Files.deleteIfExists(layout.state());
        } catch (IOException e) {
          throw new LabException("cannot remove " + layout.state() + ": " + e.getMessage(), e);
        }
      }
      if (purge) {
        new LabBase(layout, runner, progress, Init.RUNIT).purge();
      }
      return removed;
    }
  }

  /** Recorded nodes, plus any whose namespace or directory outlived a lost state file. */
  private List<NodeSpec> everyNode(LabState state) {
    TreeSet<NodeSpec> all = new TreeSet<>(NodeSpec.ORDER);
    state.nodes().values().forEach(r -> all.add(r.spec()));
    all.addAll(LabNetwork.namespacesOnHost());
    try (Stream<Path> dirs = Files.list(layout.run())) {
      dirs.map(d -> NodeSpec.parse(d.getFileName().toString()))
          .flatMap(Optional::stream)
          .forEach(all::add);
    } catch (IOException e) {
      // No run directory: no node directories either.
    }
    return List.copyOf(all);
  }

  /** Running nodes learn the names of nodes started after them. */
  private void refreshHosts(LabState state, List<NodeSpec> all, List<LabNode> started)
      throws LabException {
    if (started.isEmpty()) {
      return;
    }
    for (NodeRecord r : state.nodes().values()) {
      if (LabNode.isRunning(r)) {
        try {
          new LabNode(r.spec(), layout, runner).writeHosts(all);
        } catch (IOException e) {
          throw new LabException(
              "cannot update " + r.name() + "'s /etc/hosts: " + e.getMessage(), e);
        }
      }
    }
  }

  private static List<NodeSpec> union(LabState state, List<NodeSpec> wanted) {
    TreeSet<NodeSpec> all = new TreeSet<>(NodeSpec.ORDER);
    all.addAll(wanted);
    state.nodes().values().forEach(r -> all.add(r.spec()));
    return List.copyOf(all);
  }

  private static List<NodeStatus> statuses(LabState state, List<NodeSpec> specs) {
    return specs.stream()
        .map(s -> LabNode.status(s, Optional.ofNullable(state.nodes().get(s.name()))))
        .toList();
  }

  private static void deleteIfEmpty(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // Not empty: something not ours lives there; leave it.
    }
  }
}
