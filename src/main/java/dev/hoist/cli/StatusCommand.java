package dev.hoist.cli;

import dev.hoist.engine.Engine;
import dev.hoist.fleet.Failures;
import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.FleetResult;
import dev.hoist.ops.Status;
import dev.hoist.release.ReleaseSteps;
import dev.hoist.rollout.Balancer;
import dev.hoist.rollout.Connections;
import dev.hoist.rollout.EnvLock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code hoist status}: the live release, each process with pid and uptime, and health. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Shows the live release, each supervised process (pid, uptime) and the health check.")
final class StatusCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Mixin OutputOptions output;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Session s = Session.open(projectArg.path, targetOptions, root.ssh).appNodes();
    var stack = s.stack();
    Map<String, Balancer.Server> servers =
        s.balancer().isPresent() ? balancer(s, s.balancer().get()) : Map.of();
    Fleet.Task<Status.Report> task =
        (node, connection) -> {
          Status.Report r =
              new Status(Session.engine(connection)).read(stack, new ReleaseSteps(stack).health());
          return s.balancer().isEmpty() || !node.roles().contains("web")
              ? r
              : r.inBalancer(
                  Optional.ofNullable(servers.get(node.name()))
                      .map(Balancer.Server::status)
                      .orElse("unknown"));
        };
    if (output.json) {
      FleetResult<Status.Report> result = s.run(task, new Fleet.Listener() {}, false);
      if (s.local()) {
        Status.Report r = PerNode.only(result);
        root.console.json(r);
        return r.healthy() ? ExitCode.OK : ExitCode.FAILED;
      }
      root.console.json(FleetView.json(result, Status.Report::healthy));
      return PerNode.exitCode(result, Status.Report::healthy);
    }
    return PerNode.exitCode(
        PerNode.run(s, root.console, task, (node, r) -> show(r)), Status.Report::healthy);
  }

  /**
   * How the environment's balancer sees its web nodes, with a line about its lock and any waiting
   * canary; an unreachable balancer is reported, and the nodes show "unknown".
   */
  private Map<String, Balancer.Server> balancer(Session s, FleetNode lb)
      throws InterruptedException {
    Console c = root.console;
    try (Connections connection = Connections.open(List.of(lb), s.connector())) {
      Engine engine = connection.engine(lb.name());
      Map<String, Balancer.Server> servers = new Balancer(engine, java.util.Set.of()).servers();
      if (!output.json) {
        EnvLock lock = new EnvLock(engine, s.spec().app(), s.environment().orElseThrow());
        c.line(
            c.bold("balancer")
                + " on "
                + lb.name()
                + ": "
                + (servers.isEmpty()
                    ? c.red("HAProxy not running")
                    : servers.size()
                        + " web node(s), "
                        + servers.values().stream().filter(v -> v.status().equals("UP")).count()
                        + " UP"));
        lock.holder()
            .ifPresent(
                h ->
                    c.line(
                        "  "
                            + c.yellow("locked")
                            + " by "
                            + h.by()
                            + " since "
                            + h.since()
                            + " ("
                            + h.command()
                            + ")"));
        lock.canary()
            .ifPresent(
                k ->
                    c.line(
                        "  "
                            + c.yellow("canary")
                            + " of "
                            + k.release()
                            + " waits on "
                            + String.join(", ", k.nodes())
                            + " since "
                            + k.since()));
      }
      return servers;
    } catch (Exception e) {
      c.warn("cannot read the load balancer " + lb.name() + ": " + Failures.classify(e).message());
      return Map.of();
    }
  }

  private void show(Status.Report r) {
    Console c = root.console;
    c.line(
        c.bold(r.app())
            + " on "
            + r.node()
            + ": release "
            + r.release().orElse("none")
            + r.prepared().map(p -> ", prepared " + p).orElse("")
            + c.dim(" (" + r.releases() + " kept)")
            + r.balancer()
                .map(b -> ", in the balancer: " + ("UP".equals(b) ? c.green(b) : c.yellow(b)))
                .orElse(""));
    for (Status.Process p : r.processes()) {
      String state = "run".equals(p.state()) ? c.green("running") : c.red(p.state());
      c.line(
          String.format(
              "  %-28s %-9s %s",
              p.service(),
              state,
              p.pid().map(pid -> "pid " + pid).orElse("")
                  + p.uptimeSeconds().map(u -> ", up " + uptime(u)).orElse("")));
    }
    c.line(
        "  health "
            + r.url()
            + ": "
            + (r.healthy() ? c.green("healthy") : c.red("unhealthy"))
            + c.dim(" (" + r.health() + ")"));
  }

  static String uptime(long s) {
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return s / 60 + "m";
    }
    return s / 3600 + "h" + (s % 3600) / 60 + "m";
  }
}
