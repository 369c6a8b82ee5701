package dev.hoist.rollout;

import dev.hoist.engine.Engine;
import dev.hoist.fleet.FleetNode;
import dev.hoist.node.Agent;
import dev.hoist.node.Node;
import dev.hoist.project.Spec;
import dev.hoist.project.TlsSpec;
import dev.hoist.release.DeployException;
import dev.hoist.release.DeployListener;
import dev.hoist.release.DeployReport;
import dev.hoist.release.Deployer;
import dev.hoist.release.Deployment;
import dev.hoist.stack.AppLayout;
import dev.hoist.stack.BalancerStack;
import dev.hoist.stack.BalancerStackBuilder;
import dev.hoist.stack.Templates;
import dev.hoist.tls.AcmeRunner;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code hoist tls renew}: runs the ACME runner now on the node(s) that end TLS (past the backoff
 * of earlier failures; with {@code force}, even for a fresh certificate). A node that gets its
 * first certificate is switched to HTTPS: nginx by a converge of the live release's stack (no new
 * code is shipped), HAProxy by a converge of the balancer under the environment's lock.
 */
public final class TlsRenewal {
  /** The project, the environment's balancer and web nodes, and how hard to push. */
  public record Request(
      Spec spec,
      Templates templates,
      Optional<String> environment,
      Optional<FleetNode> balancer,
      List<FleetNode> environmentWebs,
      boolean force) {}

  /**
   * What happened on one node: the runner's action (issued, renewed, unchanged, failed) and
   * message, the certificate after it, and the switch to HTTPS when there was one.
   */
  public record Renewed(
      String node,
      String action,
      String message,
      List<String> names,
      Optional<Instant> notAfter,
      Optional<Instant> nextAttempt,
      Optional<String> https,
      boolean ok) {
    public Renewed {
      names = List.copyOf(names);
    }
  }

  private final Request request;

  public TlsRenewal(Request request) {
    this.request = request;
  }

  /** Refuses ({@link RolloutException.Kind#USAGE}) an app without an ACME certificate to renew. */
  public static void renewable(Spec spec) throws RolloutException {
    switch (spec.tls()) {
      case TlsSpec.Off off -> throw usage("app " + spec.app() + " serves no HTTPS: " + off.why());
      case TlsSpec.Files files ->
          throw usage(
              "the certificate of app "
                  + spec.app()
                  + " is your own file "
                  + files.cert()
                  + ": renew it with its CA, then 'hoist deploy' installs it");
      case TlsSpec.Acme acme -> {}
    }
  }

  /**
   * The nodes that end TLS among {@code targets}: the balancer when the environment has one, else
   * the web nodes; refused ({@link RolloutException.Kind#USAGE}) when none of them does.
   */
  public static List<FleetNode> nodes(
      Optional<FleetNode> balancer,
      List<FleetNode> targets,
      Optional<String> balancedEnvironmentOfTargets)
      throws RolloutException {
    if (balancedEnvironmentOfTargets.isPresent()) {
      String env = balancedEnvironmentOfTargets.get();
      throw usage(
          "these nodes are in environment "
              + env
              + ", whose balancer ends TLS; use --env "
              + env
              + " (the certificate lives on the balancer)");
    }
    if (balancer.isPresent()) {
      FleetNode lb = balancer.get();
      if (targets.stream().noneMatch(n -> n.name().equals(lb.name()))) {
        throw usage(
            "TLS ends on the balancer "
                + lb.name()
                + ", which holds the certificate: leave --node out, or give --node "
                + lb.name());
      }
      return List.of(lb);
    }
    List<FleetNode> webs = targets.stream().filter(n -> n.roles().contains("web")).toList();
    if (webs.isEmpty()) {
      throw usage("none of the chosen nodes has the web role, where nginx ends TLS");
    }
    return webs;
  }

  /** Runs the runner on {@code node} and, after a first certificate, switches it to HTTPS. */
  public Renewed renew(FleetNode node, Node connection)
      throws IOException, InterruptedException, RolloutException {
    AppLayout layout = new AppLayout(request.spec().app());
    AcmeRunner.Outcome outcome =
        AcmeRunner.ensure(
            connection,
            layout,
            request.force() ? AcmeRunner.Urgency.FORCE : AcmeRunner.Urgency.NOW);
    String message = outcome.message();
    // No runner, or no directory or config of the app's: the node was not deployed with ACME.
    if (outcome.action().equals("error")
        || message.contains("acme.json")
        || message.contains(layout.tlsDir() + " does not exist")) {
      message += "; was the app deployed here? 'hoist deploy' sets the ACME runner up";
    }
    Optional<String> https = Optional.empty();
    boolean switched = true;
    // "issued": there was no certificate before, so the server still serves HTTP only.
    if (outcome.action().equals("issued")) {
      Engine engine = new Engine(new Agent(connection));
      Switch s = request.balancer().isPresent() ? balancer(engine) : nginx(engine, node.name());
      https = Optional.of(s.note());
      switched = s.ok();
    }
    return new Renewed(
        node.name(),
        outcome.action(),
        message,
        outcome.names(),
        outcome.notAfter(),
        outcome.nextAttempt(),
        https,
        !outcome.failed() && switched);
  }

  private record Switch(boolean ok, String note) {}

  /**
   * Converges the live release's stack, which now serves the certificate; never ships code: when
   * the project differs from what is live, the next deploy switches instead.
   */
  private Switch nginx(Engine engine, String node) throws InterruptedException, RolloutException {
    Deployment deployment =
        DeployService.deployment(request.spec(), request.templates(), Optional.empty(), false);
    try {
      DeployReport plan = new Deployer(engine, deployment).plan();
      if (plan.newRelease().isPresent()) {
        return new Switch(
            true,
            "nginx serves HTTPS after the next 'hoist deploy' (this project's code differs from"
                + " the live release, and 'tls renew' ships no code)");
      }
      DeployReport done = new Deployer(engine, deployment).deploy(new DeployListener() {});
      return done.ok()
          ? new Switch(true, "nginx now serves HTTPS; HTTP redirects to it")
          : new Switch(
              false,
              "switching nginx to HTTPS failed ("
                  + done.error().orElse("?")
                  + "); the site stays on HTTP until the next deploy");
    } catch (DeployException e) {
      return new Switch(
          false, "switching nginx on " + node + " to HTTPS failed: " + e.getMessage());
    }
  }

  /** Converges HAProxy to serve the certificate, under the environment's lock. */
  private Switch balancer(Engine engine) throws InterruptedException {
    EnvLock lock = new EnvLock(engine, request.spec().app(), request.environment().orElseThrow());
    try {
      lock.take("hoist tls renew --env " + request.environment().get());
    } catch (RolloutException e) {
      return new Switch(
          true, "HAProxy serves HTTPS after the next 'hoist deploy' (" + e.getMessage() + ")");
    }
    try {
      List<BalancerStack.Upstream> upstreams =
          request.environmentWebs().stream()
              .map(n -> new BalancerStack.Upstream(n.name(), n.spec().host(), 80))
              .toList();
      Balancer balancer =
          new Balancer(
              engine, Set.copyOf(request.environmentWebs().stream().map(FleetNode::name).toList()));
      balancer.converge(
          (supervisor, certOnNode) ->
              new BalancerStackBuilder(request.templates(), supervisor)
                  .build(request.spec(), upstreams, Optional.empty(), certOnNode));
      return new Switch(true, "HAProxy now serves HTTPS; HTTP redirects to it");
    } catch (RolloutException e) {
      return new Switch(
          false,
          "switching HAProxy to HTTPS failed ("
              + e.getMessage()
              + "); the site stays on HTTP until the next deploy");
    } finally {
      lock.release();
    }
  }

  private static RolloutException usage(String message) {
    return new RolloutException(RolloutException.Kind.USAGE, message);
  }
}
