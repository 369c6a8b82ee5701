package dev.hoist.rollout;

import dev.hoist.engine.Engine;
import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.FleetResult;
import dev.hoist.node.Agent;
import dev.hoist.node.Node;
import dev.hoist.node.Trace;
import dev.hoist.project.Spec;
import dev.hoist.project.TlsSpec;
import dev.hoist.release.DeployException;
import dev.hoist.release.DeployListener;
import dev.hoist.release.DeployReport;
import dev.hoist.release.Deployment;
import dev.hoist.release.UnshippableException;
import dev.hoist.stack.Edge;
import dev.hoist.stack.ServicesEnv;
import dev.hoist.stack.Templates;
import dev.hoist.stack.TlsMaterial;
import dev.hoist.tls.HttpsOnNode;
import dev.hoist.tls.PemBundle;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code hoist deploy}'s one choice: every node on its own, in parallel (this machine is a fleet of
 * one), or a rolling deploy behind the environment's balancer (also when release.run_once hooks
 * must run once before any node switches). A request that fits neither is refused with what to do.
 */
public final class DeployService {
  /**
   * The project, the nodes picked, the environment around them, and the canary options. {@code
   * balancerOnly}: the environment's web nodes answer only its balancer ({@code lb: {only: true}});
   * {@code remoteServices}: the env of a separate db node, empty until the data phase gave it.
   */
  public record Request(
      Spec spec,
      Templates templates,
      boolean local,
      Optional<String> environment,
      List<FleetNode> targets,
      Optional<FleetNode> balancer,
      boolean balancerOnly,
      List<FleetNode> environmentWebs,
      Optional<String> balancedEnvironmentOfTargets,
      int canary,
      boolean continuing,
      Optional<String> cronNode,
      Optional<ServicesEnv> remoteServices) {
    /** The same request, its app nodes getting the services env of a separate db node. */
    public Request withRemoteServices(ServicesEnv env) {
      return new Request(
          spec,
          templates,
          local,
          environment,
          targets,
          balancer,
          balancerOnly,
          environmentWebs,
          balancedEnvironmentOfTargets,
          canary,
          continuing,
          cronNode,
          Optional.of(env));
    }
  }

  /** How the deploy goes. */
  public sealed interface Way permits EachNode, Rolling {}

  /** Every node deployed on its own, all at once: a failed node does not stop the others. */
  public record EachNode(Deployment deployment, List<FleetNode> nodes) implements Way {
    /** {@code listeners}: each node's progress; {@code live}: the fleet's. */
    public FleetResult<DeployReport> run(
        Fleet fleet, Function<FleetNode, DeployListener> listeners, Fleet.Listener live)
        throws InterruptedException {
      Fleet.Task<DeployReport> task =
          new Fleet.Task<>() {
            @Override
            public DeployReport run(FleetNode node, Node connection)
                throws DeployException, InterruptedException {
              return new HttpsOnNode(
                      new Engine(new Agent(connection)), deployment, Clock.systemUTC())
                  .deploy(listeners.apply(node));
            }

            @Override
            public boolean succeeded(DeployReport report) {
              return report.ok();
            }
          };
      Trace.mark("deploy ready");
      return fleet.run(nodes, task, live);
    }
  }

  /** Prepare every node, then switch in batches behind the balancer. */
  public record Rolling(RollingDeploy job) implements Way {}

  private DeployService() {}

  /** Refused requests are {@link RolloutException.Kind#USAGE}. */
  public static Way choose(Request r) throws RolloutException {
    List<FleetNode> nodes = r.targets().stream().filter(DeployService::servesTheApp).toList();
    if (r.canary() < 0 || (r.canary() > 0 && r.continuing())) {
      throw usage(
          "--canary takes a number of nodes (1 or more) and starts a new"
              + " rollout; --continue goes on with a waiting one: give one of them");
    }
    if (r.balancedEnvironmentOfTargets().isPresent()) {
      String env = r.balancedEnvironmentOfTargets().get();
      throw usage(
          "these nodes are behind the load balancer of environment "
              + env
              + "; deploy them with --env "
              + env
              + " --node ... so they are drained first");
    }
    boolean runOnce = !r.spec().release().runOnce().isEmpty();
    if (!r.local() && r.environment().isEmpty() && runOnce) {
      throw usage(
          "release.run_once hooks run once per environment: deploy with"
              + " --env (and --node to narrow it)");
    }
    if (!r.local() && (r.balancer().isPresent() || runOnce)) {
      return rolling(r, nodes);
    }
    if (r.canary() > 0 || r.continuing()) {
      throw canaryNeedsBalancer();
    }
    if (nodes.isEmpty()) {
      throw usage(
          "none of the chosen nodes has the web or worker role;"
              + " load balancer nodes are not deployed to directly");
    }
    return new EachNode(deployment(r), nodes);
  }

  private static Rolling rolling(Request r, List<FleetNode> nodes) throws RolloutException {
    if (nodes.isEmpty()) {
      throw usage("none of the chosen nodes has the web or worker role");
    }
    if (r.balancer().isEmpty() && (r.canary() > 0 || r.continuing())) {
      throw canaryNeedsBalancer();
    }
    String environment = r.environment().orElseThrow();
    String command =
        "hoist deploy --env "
            + environment
            + (r.canary() > 0 ? " --canary " + r.canary() : "")
            + (r.continuing() ? " --continue" : "");
    RollingDeploy.Options options =
        new RollingDeploy.Options(environment, r.canary(), r.continuing(), command);
    return new Rolling(
        new RollingDeploy(deployment(r), options, nodes, r.environmentWebs(), r.balancer()));
  }

  private static Deployment deployment(Request r) throws RolloutException {
    return deployment(
        r.spec(), r.templates(), r.balancer(), r.balancerOnly(), r.cronNode(), r.remoteServices());
  }

  /**
   * What every node of a deploy shares. A project that cannot ship (a symlink pointing outside it)
   * or whose own certificate cannot serve is refused before anything is sent; the stack is built
   * and the code archived on other threads while connections are made. {@code balancer}: the
   * environment's, which then ends TLS; {@code balancerOnly}: the web nodes answer only it.
   */
  public static Deployment deployment(
      Spec spec, Templates templates, Optional<FleetNode> balancer, boolean balancerOnly)
      throws RolloutException {
    return deployment(spec, templates, balancer, balancerOnly, Optional.empty());
  }

  /** As above; {@code cronNode}: the node that runs the app's scheduled jobs. */
  public static Deployment deployment(
      Spec spec,
      Templates templates,
      Optional<FleetNode> balancer,
      boolean balancerOnly,
      Optional<String> cronNode)
      throws RolloutException {
    return deployment(spec, templates, balancer, balancerOnly, cronNode, Optional.empty());
  }

  /**
   * As above; {@code remoteServices}: the env of the app's separate db node ({@link DataPhase}).
   */
  public static Deployment deployment(
      Spec spec,
      Templates templates,
      Optional<FleetNode> balancer,
      boolean balancerOnly,
      Optional<String> cronNode,
      Optional<ServicesEnv> remoteServices)
      throws RolloutException {
    Optional<TlsMaterial> files = Optional.empty();
    if (spec.tls() instanceof TlsSpec.Files f) {
      List<String> names = new ArrayList<>();
      names.add(spec.domain());
      names.addAll(spec.aliases());
      try {
        files = Optional.of(PemBundle.load(f, names, Instant.now()));
      } catch (PemBundle.BadCertificate e) {
        throw usage("tls.cert: " + e.getMessage());
      }
    }
    List<String> balancers = new ArrayList<>();
    if (balancer.isPresent()) {
      balancers.addAll(addresses(balancer.get()));
    }
    Edge edge = new Edge(balancers, balancerOnly && !balancers.isEmpty(), files);
    Deployment deployment = new Deployment(spec, templates, edge, cronNode, remoteServices);
    try {
      deployment.bundle().check();
    } catch (UnshippableException e) {
      throw usage(e.getMessage());
    } catch (IOException e) {
      // Reported by every node that needs the bundle, with its context.
    }
    deployment.prepareAhead();
    return deployment;
  }

  /**
   * The balancer's addresses, which the web nodes trust for X-Forwarded-* (nginx takes IP literals
   * only). It is the address HAProxy's requests come from as long as the web nodes reach it at the
   * same address hoist does ({@link NodeAddresses}).
   */
  private static List<String> addresses(FleetNode balancer) throws RolloutException {
    return NodeAddresses.of(balancer, "load balancer");
  }

  private static boolean servesTheApp(FleetNode node) {
    return node.roles().contains("web") || node.roles().contains("worker");
  }

  private static RolloutException canaryNeedsBalancer() {
    return usage(
        "--canary and --continue need an environment with a load balancer"
            + " (a node with role lb under environments: in hoist.yml)");
  }

  private static RolloutException usage(String message) {
    return new RolloutException(RolloutException.Kind.USAGE, message);
  }
}
