package dev.hoist.cli;

import dev.hoist.engine.Engine;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.SshTargets;
import dev.hoist.fleet.TargetException;
import dev.hoist.fleet.Targets;
import dev.hoist.node.Agent;
import dev.hoist.node.LocalNode;
import dev.hoist.node.Node;
import dev.hoist.node.Trace;
import dev.hoist.project.DataPlacement;
import dev.hoist.project.Inventory;
import dev.hoist.project.NodeSpec;
import dev.hoist.project.ServicesSpec;
import dev.hoist.project.Spec;
import dev.hoist.project.SpecException;
import dev.hoist.project.SpecLoader;
import dev.hoist.project.UserConfig;
import dev.hoist.ssh.SshNode;
import dev.hoist.stack.Stack;
import dev.hoist.stack.StackBuilder;
import dev.hoist.stack.Templates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a command works with: the project's spec, the nodes picked by --env/--node (this machine
 * when neither is given), and how to reach them.
 */
final class Session {
  /** This machine, as a fleet of one. */
  private static final FleetNode LOCAL =
      new FleetNode(
          new NodeSpec(
              "local",
              "localhost",
              22,
              "root",
              List.of(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              "this machine"),
          List.of("web"));

  private final Spec spec;
  private final Inventory inventory;
  private final List<FleetNode> targets;
  private final boolean local;
  private final int parallel;
  private final Optional<String> environment;
  private final SshAccess ssh;
  private Templates templates;

  private Session(
      Spec spec,
      Inventory inventory,
      List<FleetNode> targets,
      boolean local,
      int parallel,
      Optional<String> environment,
      SshAccess ssh) {
    this.ssh = ssh;
    this.environment = environment;
    this.spec = spec;
    this.inventory = inventory;
    this.targets = targets;
    this.local = local;
    this.parallel = parallel;
  }

  /**
   * Loads the project and picks its nodes from {@code options}; {@code ssh} reaches remote ones.
   */
  static Session open(String project, TargetOptions options, SshAccess ssh)
      throws CommandException {
    return open(project, options, ssh, false);
  }

  /**
   * {@code pushed}: hoist server deploys a pushed commit ({@code --built}), whose hoist.yml may
   * name only files of the project and no SSH key or known_hosts ({@link SpecLoader#loadPushed}).
   */
  static Session open(String project, TargetOptions options, SshAccess ssh, boolean pushed)
      throws CommandException {
    if (!options.local()) {
      ssh.startAhead();
    }
    Spec spec = load(project, pushed);
    Trace.mark("spec loaded");
    if (options.local()) {
      return new Session(spec, spec.inventory(), List.of(LOCAL), true, 1, Optional.empty(), ssh);
    }
    try {
      Inventory inventory = UserConfig.inventoryFor(spec, UserConfig.defaultPath());
      List<FleetNode> targets = Targets.select(inventory, options.environment(), options.nodes);
      Trace.mark("targets selected");
      if (options.parallel < 1) {
        throw new CommandException(ExitCode.USAGE, "--parallel must be at least 1");
      }
      return new Session(
          spec, inventory, targets, false, options.parallel, options.environment(), ssh);
    } catch (SpecException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    } catch (TargetException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    } catch (IOException e) {
      throw new CommandException(
          ExitCode.USAGE, "cannot read " + UserConfig.defaultPath() + ": " + e.getMessage());
    }
  }

  private static Spec load(String project, boolean pushed) throws CommandException {
    try {
      return pushed ? SpecLoader.loadPushed(Path.of(project)) : SpecLoader.load(Path.of(project));
    } catch (SpecException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    } catch (IOException e) {
      throw new CommandException(ExitCode.USAGE, "cannot read " + project + ": " + e.getMessage());
    }
  }

  Spec spec() {
    return spec;
  }

  /** This session working with {@code newSpec} (a deploy fills in where backup copies go). */
  Session withSpec(Spec newSpec) {
    return new Session(newSpec, inventory, targets, local, parallel, environment, ssh);
  }

  /**
   * The nodes of hoist.yml and the user's config (on this machine too, where the targets are not
   * read from it).
   */
  Inventory fullInventory() throws CommandException {
    if (!local) {
      return inventory;
    }
    try {
      return UserConfig.inventoryFor(spec, UserConfig.defaultPath());
    } catch (SpecException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    } catch (IOException e) {
      throw new CommandException(
          ExitCode.USAGE, "cannot read " + UserConfig.defaultPath() + ": " + e.getMessage());
    }
  }

  /** An SSH connection to {@code node} of {@code in}, even when this session works locally. */
  SshNode sshNode(Inventory in, NodeSpec node) {
    return ssh.nodes().node(SshTargets.of(in, node));
  }

  /** The nodes picked for this command, in inventory order. */
  List<FleetNode> targets() {
    return targets;
  }

  /**
   * This session without its load-balancer-only nodes: for commands about the app (status,
   * releases, rollback), which a balancer does not run.
   */
  Session appNodes() {
    List<FleetNode> app =
        targets.stream()
            .filter(n -> n.roles().contains("web") || n.roles().contains("worker"))
            .toList();
    return app.isEmpty() || app.size() == targets.size()
        ? this
        : new Session(spec, inventory, app, local, parallel, environment, ssh);
  }

  /** The environment named by --env. */
  Optional<String> environment() {
    return environment;
  }

  /**
   * The environment's load balancer node (the first with role lb), whether or not --node named it.
   */
  Optional<FleetNode> balancer() {
    return environmentNodes("lb").stream().findFirst();
  }

  /** The environment's web nodes answer only its balancer ({@code lb: {only: true}}). */
  boolean balancerOnly() {
    return environment
        .map(inventory.environments()::get)
        .map(dev.hoist.project.EnvironmentSpec::lbOnly)
        .orElse(false);
  }

  /**
   * With --node and no --env: an environment with a load balancer that one of the nodes belongs to
   * (deploying such a node outside its environment would skip draining it).
   */
  Optional<String> balancedEnvironmentOfTargets() {
    if (local || environment.isPresent()) {
      return Optional.empty();
    }
    return inventory.environments().values().stream()
        .filter(e -> !e.roles().getOrDefault("lb", List.of()).isEmpty())
        .filter(
            e ->
                e.refs().stream()
                    .anyMatch(r -> targets.stream().anyMatch(t -> t.name().equals(r.name()))))
        .map(dev.hoist.project.EnvironmentSpec::name)
        .findFirst();
  }

  /**
   * The node that runs the app's scheduled jobs: this machine; with --env, the environment's first
   * worker node, else its first web node (whether or not --node picked it); with --node alone, the
   * first node picked that serves the app.
   */
  Optional<String> cronNode() {
    if (local) {
      return Optional.of(LOCAL.name());
    }
    if (environment.isPresent()) {
      return Optional.ofNullable(inventory.environments().get(environment.get()))
          .flatMap(dev.hoist.project.EnvironmentSpec::cronNode);
    }
    return targets.stream()
        .filter(n -> n.roles().contains("web") || n.roles().contains("worker"))
        .findFirst()
        .map(FleetNode::name);
  }

  /** Every node of the environment with {@code role}, in inventory order. */
  List<FleetNode> environmentNodes(String role) {
    if (environment.isEmpty()) {
      return List.of();
    }
    try {
      return Targets.select(inventory, environment, List.of()).stream()
          .filter(n -> n.roles().contains(role))
          .toList();
    } catch (TargetException e) {
      return List.of();
    }
  }

  /**
   * The node that holds the app's data (its database, Redis and uploads): this machine, the one
   * node picked with --node, or the environment's data node ({@link DataPlacement}).
   */
  FleetNode dataNode() throws CommandException {
    if (local) {
      return LOCAL;
    }
    if (environment.isEmpty()) {
      if (targets.size() != 1) {
        throw new CommandException(
            ExitCode.USAGE,
            "the app's data lives on one node: name it with --node, or give --env to use the"
                + " environment's db node");
      }
      return targets.getFirst();
    }
    try {
      String name = DataPlacement.dataNode(inventory.environments().get(environment.get()));
      return Targets.select(inventory, environment, List.of(name)).getFirst();
    } catch (SpecException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    } catch (TargetException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    }
  }

  /**
   * Refuses a deploy whose {@code services:} cannot be placed: no data node, uploads away from the
   * app, or a data node that serves the app beside other app nodes (they would get services of
   * their own).
   */
  void checkServices() throws CommandException {
    ServicesSpec services = spec.services();
    if (!services.any() || local) {
      return;
    }
    if (environment.isEmpty()) {
      if (targets.size() > 1) {
        throw new CommandException(
            ExitCode.USAGE,
            "services: each app's data lives on one node, and "
                + targets.size()
                + " nodes were named without an environment; deploy with --env (an environment"
                + " with a db node, or one web node)");
      }
      return;
    }
    try {
      String node =
          DataPlacement.check(services, inventory.environments().get(environment.get()))
              .orElseThrow();
      List<String> others =
          environmentAppNodes().stream().map(FleetNode::name).filter(n -> !n.equals(node)).toList();
      if (servesTheApp(dataNode()) && !others.isEmpty()) {
        throw new CommandException(
            ExitCode.USAGE,
            "services: the data of environment "
                + environment.get()
                + " is on '"
                + node
                + "', which also serves the app beside "
                + String.join(", ", others)
                + "; give the data a node of its own (db: NODE, a node with no web or worker"
                + " role) or serve the app from that one node");
      }
    } catch (SpecException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    }
  }

  /**
   * The environment's data node when it is a node of its own (a db node that serves no app): a
   * deploy converges it first (docs/services.md "A db node of its own").
   */
  Optional<FleetNode> separateDataNode() throws CommandException {
    if (local || environment.isEmpty() || !spec.services().any()) {
      return Optional.empty();
    }
    FleetNode node = dataNode();
    return servesTheApp(node) ? Optional.empty() : Optional.of(node);
  }

  /**
   * The environment's db node of its own once hoist.yml has no {@code services:} (any more): a
   * deploy retires what an earlier one left there for the app (docs/services.md).
   */
  Optional<FleetNode> retiredDataNode() throws CommandException {
    if (local || environment.isEmpty() || spec.services().any()) {
      return Optional.empty();
    }
    if (environmentNodes("db").size() != 1) {
      return Optional.empty();
    }
    FleetNode node = dataNode();
    return servesTheApp(node) ? Optional.empty() : Optional.of(node);
  }

  /** The environment's web and worker nodes, whether or not --node picked them. */
  List<FleetNode> environmentAppNodes() {
    if (environment.isEmpty()) {
      return List.of();
    }
    try {
      return Targets.select(inventory, environment, List.of()).stream()
          .filter(Session::servesTheApp)
          .toList();
    } catch (TargetException e) {
      return List.of();
    }
  }

  private static boolean servesTheApp(FleetNode node) {
    return node.roles().contains("web") || node.roles().contains("worker");
  }

  /** No --env or --node: the command works on this machine, as in a single-node setup. */
  boolean local() {
    return local;
  }

  Templates templates() {
    if (templates == null) {
      templates = Templates.forProject(spec.projectDir());
    }
    return templates;
  }

  /** Runs {@code task} on every target at once (this machine: in this process's children). */
  <T> FleetResult<T> run(Fleet.Task<T> task, Fleet.Listener listener, boolean failFast)
      throws InterruptedException {
    Trace.mark("session ready");
    return fleet(failFast).run(targets, task, listener);
  }

  Fleet fleet(boolean failFast) {
    return new Fleet(connector(), new Fleet.Options(parallel, failFast));
  }

  /** A connection to one node, for interactive commands; the caller closes it. */
  Node connect(FleetNode node) throws IOException, InterruptedException {
    return connector().connect(node);
  }

  /**
   * This machine, or an SSH connection made and authenticated now, so failures show as the node's.
   */
  Fleet.Connector connector() {
    if (local) {
      return node -> new LocalNode();
    }
    return node -> {
      SshNode connection = ssh.nodes().node(SshTargets.of(inventory, node.spec()));
      Trace.mark(node.name() + " ssh client ready");
      try {
        connection.connect();
        Trace.mark(node.name() + " connected");
      } catch (IOException | RuntimeException e) {
        connection.close();
        throw e;
      }
      return connection;
    };
  }

  static Engine engine(Node node) {
    return new Engine(new Agent(node));
  }

  /**
   * The stack for commands that only read (status, rollback): runit unless PID 1 is systemd on this
   * machine; remote nodes are taken to run runit, as lab and Debian server images without systemd
   * do.
   */
  Stack stack() {
    return new StackBuilder(templates(), local ? localSupervisor() : Supervisor.RUNIT).build(spec);
  }

  private static Supervisor localSupervisor() {
    try {
      String init = Files.readString(Path.of("/proc/1/comm")).strip();
      return "systemd".equals(init) ? Supervisor.SYSTEMD : Supervisor.RUNIT;
    } catch (IOException e) {
      return Supervisor.RUNIT;
    }
  }
}
