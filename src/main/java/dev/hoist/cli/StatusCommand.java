package dev.hoist.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.hoist.engine.Engine;
import dev.hoist.fleet.Failures;
import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.FleetResult;
import dev.hoist.node.AgentException;
import dev.hoist.ops.Status;
import dev.hoist.release.ReleaseSteps;
import dev.hoist.rollout.Balancer;
import dev.hoist.rollout.Connections;
import dev.hoist.rollout.EnvLock;
import dev.hoist.rollout.RolloutException;
import dev.hoist.tls.CertReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hoist status}: the live release, each process with pid and uptime, health, the certificate
 * on the node that ends TLS (each web node, or the balancer), and the app's services on its data
 * node (running, version, size, last backup, last drill).
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Shows the live release, each supervised process (pid, uptime), the health check, the"
            + " HTTPS certificate (names, issuer, expiry, last renewal) where TLS ends, and with"
            + " 'services:' each service on the data node (running, version, size) with the last"
            + " backup and drill.")
final class StatusCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Mixin OutputOptions output;

  /** One node's status, with its certificate when it ends TLS; --json keeps the report's keys. */
  record NodeStatus(@JsonUnwrapped Status.Report status, Optional<CertReport> certificate) {
    boolean healthy() {
      return status.healthy();
    }
  }

  /** The balancer in --json: the lb node and the certificate it serves. */
  record BalancerJson(String node, Optional<CertReport> certificate) {}

  /**
   * --json with a balancer or services: the nodes' outcomes, the balancer's certificate, the data.
   */
  @JsonInclude(JsonInclude.Include.NON_ABSENT)
  record StatusJson(
      @JsonUnwrapped FleetView.FleetJson<NodeStatus> fleet,
      Optional<BalancerJson> balancer,
      Optional<DataView.DataJson> data) {}

  /** --json of a single node with services: its status and the data. */
  record LocalJson(@JsonUnwrapped NodeStatus node, DataView.DataJson data) {}

  /** What the balancer said: how it sees its web nodes, and its certificate. */
  record LbView(Map<String, Balancer.Server> servers, Optional<CertReport> certificate) {}

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Session s = Session.open(projectArg.path, targetOptions, root.ssh).appNodes();
    var stack = s.stack();
    Instant now = Instant.now();
    LbView lb =
        s.balancer().isPresent()
            ? balancer(s, s.balancer().get(), now)
            : new LbView(Map.of(), Optional.empty());
    // Behind a balancer, TLS ends on the lb node: the web nodes hold no certificate.
    boolean endsTls = s.balancer().isEmpty() && s.balancedEnvironmentOfTargets().isEmpty();
    Fleet.Task<NodeStatus> task =
        (node, connection) -> {
          Status.Report r =
              new Status(Session.engine(connection)).read(stack, new ReleaseSteps(stack).health());
          if (s.balancer().isPresent() && node.roles().contains("web")) {
            r =
                r.inBalancer(
                    Optional.ofNullable(lb.servers().get(node.name()))
                        .map(Balancer.Server::status)
                        .orElse("unknown"));
          }
          return new NodeStatus(
              r,
              endsTls
                  ? Optional.of(CertReport.of(r.node(), s.spec(), r.tls(), now))
                  : Optional.empty());
        };
    if (output.json) {
      FleetResult<NodeStatus> result = s.run(task, new Fleet.Listener() {}, false);
      Optional<DataView.DataJson> data = data(s);
      if (s.local()) {
        NodeStatus r = PerNode.only(result);
        root.console.json(data.isPresent() ? new LocalJson(r, data.get()) : r);
        return r.healthy() ? ExitCode.OK : ExitCode.FAILED;
      }
      FleetView.FleetJson<NodeStatus> fleet = FleetView.json(result, NodeStatus::healthy);
      Optional<BalancerJson> balancer =
          s.balancer().map(b -> new BalancerJson(b.name(), lb.certificate()));
      root.console.json(
          balancer.isPresent() || data.isPresent() ? new StatusJson(fleet, balancer, data) : fleet);
      return PerNode.exitCode(result, NodeStatus::healthy);
    }
    int exit =
        PerNode.exitCode(
            PerNode.run(s, root.console, task, (node, r) -> show(r)), NodeStatus::healthy);
    data(s).ifPresent(d -> DataView.show(root.console, d, now));
    return exit;
  }

  /** The app's services on its data node, when hoist.yml has any. */
  private static Optional<DataView.DataJson> data(Session s) throws InterruptedException {
    return s.spec().services().any() ? Optional.of(DataView.read(s)) : Optional.empty();
  }

  /**
   * How the environment's balancer sees its web nodes, with a line about its lock and any waiting
   * canary; an unreachable balancer is reported, and the nodes show "unknown".
   */
  private LbView balancer(Session s, FleetNode lb, Instant now) throws InterruptedException {
    Console c = root.console;
    try (Connections connection = Connections.open(List.of(lb), s.connector())) {
      Engine engine = connection.engine(lb.name());
      Optional<CertReport> cert = Optional.empty();
      try {
        cert = Optional.of(CertReport.read(engine, s.spec(), now));
      } catch (AgentException e) {
        c.warn("cannot read the certificate on " + lb.name() + ": " + e.getMessage());
      }
      Map<String, Balancer.Server> servers;
      try {
        servers = new Balancer(engine, java.util.Set.of()).servers();
      } catch (RolloutException e) {
        if (!output.json) {
          c.line(c.bold("balancer") + " on " + lb.name() + ": " + c.red(e.getMessage()));
          cert.ifPresent(r -> new CertView(c).show(r, "  "));
        }
        return new LbView(Map.of(), cert);
      }
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
        cert.ifPresent(r -> new CertView(c).show(r, "  "));
      }
      return new LbView(servers, cert);
    } catch (Exception e) {
      c.warn("cannot read the load balancer " + lb.name() + ": " + Failures.classify(e).message());
      return new LbView(Map.of(), Optional.empty());
    }
  }

  private void show(NodeStatus status) {
    Console c = root.console;
    Status.Report r = status.status();
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
    for (Status.Job j : r.jobs()) {
      c.line(String.format("  %-28s %-9s %s", "job " + j.name(), j.schedule(), lastRun(c, j)));
    }
    c.line(
        "  health "
            + r.url()
            + ": "
            + (r.healthy() ? c.green("healthy") : c.red("unhealthy"))
            + c.dim(" (" + r.health() + ")"));
    status.certificate().ifPresent(cert -> new CertView(c).show(cert, "  "));
  }

  /** "last run 2026-12-03T07:15:00Z: ok (exit 0, 1.2s)", or "not run yet". */
  static String lastRun(Console c, Status.Job j) {
    if (j.lastStart().isEmpty()) {
      return c.dim("not run yet");
    }
    String result = j.result().orElse("?");
    String shown =
        "ok".equals(result)
            ? c.green(result)
            : "running".equals(result) ? c.yellow(result) : c.red(result);
    return "last run "
        + j.lastStart().get()
        + ": "
        + shown
        + j.exit()
            .map(
                e ->
                    " (exit "
                        + e
                        + j.durationSeconds().map(d -> String.format(", %.1fs", d)).orElse("")
                        + ")")
            .orElse("");
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
