package dev.hoist.rollout;

import dev.hoist.fleet.Failures;
import dev.hoist.fleet.FleetNode;
import dev.hoist.project.Spec;
import dev.hoist.release.DeployListener;
import dev.hoist.release.DeployReport;
import dev.hoist.release.Deployer;
import dev.hoist.release.Deployment;
import dev.hoist.release.Prepared;
import dev.hoist.stack.BalancerStack;
import dev.hoist.stack.BalancerStackBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A deploy to an environment with a load balancer, in two phases: prepare every web node while the
 * old release serves (stack converged, release unpacked, virtualenv built, hooks run), run the
 * run_once hooks on one node, then activate in batches behind the balancer ({@link Rollout}). Holds
 * the environment's lock throughout.
 */
public final class RollingDeploy implements RolloutJob {
  /**
   * What the user asked: the environment, a canary size (0: none), whether to continue a canary.
   */
  public record Options(String environment, int canary, boolean continuing, String command) {}

  private final Deployment deployment;
  private final Options options;
  private final List<FleetNode> targets;
  private final List<FleetNode> allWebs;
  private final Optional<FleetNode> lb;
  private final FleetNode lockNode;
  private Connections connections;
  private RolloutListener listener = RolloutListener.none();
  private final AtomicBoolean stop = new AtomicBoolean();

  /**
   * {@code targets}: the web nodes to deploy (all of the environment's, or those named); {@code
   * allWebs}: every web node of the environment, the balancer's upstreams.
   */
  public RollingDeploy(
      Deployment deployment,
      Options options,
      List<FleetNode> targets,
      List<FleetNode> allWebs,
      Optional<FleetNode> lb) {
    this.deployment = deployment;
    this.options = options;
    this.targets = List.copyOf(targets);
    this.allWebs = List.copyOf(allWebs);
    this.lb = lb;
    // Without a balancer, the lock lives on the environment's first web node, whichever --node
    // says.
    this.lockNode = lb.orElse(allWebs.isEmpty() ? targets.getFirst() : allWebs.getFirst());
  }

  /** What the nodes of this deploy share (and what they reported, e.g. a backup key). */
  public Deployment deployment() {
    return deployment;
  }

  @Override
  public List<FleetNode> nodes() {
    List<FleetNode> all = new ArrayList<>(targets);
    if (!all.contains(lockNode)) {
      all.addFirst(lockNode);
    }
    lb.ifPresent(all::addFirst);
    return all.stream().distinct().toList();
  }

  @Override
  public void stop() {
    stop.set(true);
  }

  @Override
  public RolloutReport run(Connections connections, RolloutListener listener)
      throws RolloutException, InterruptedException {
    this.connections = connections;
    this.listener = listener;
    long start = System.nanoTime();
    Spec spec = deployment.spec();
    EnvLock lock =
        new EnvLock(connections.engine(lockNode.name()), spec.app(), options.environment());
    lock.take(options.command());
    listener.note("locked " + options.environment() + " on " + lockNode.name());
    try {
      Optional<EnvLock.Canary> canary = lock.canary();
      checkCanary(canary);
      if (canary.isPresent()
          && options.continuing()
          && !canary.get().hash().equals(deployment.bundle().hash())) {
        throw new RolloutException(
            RolloutException.Kind.USAGE,
            "the project changed since the canary of "
                + canary.get().release()
                + " started; 'hoist rollback --env "
                + options.environment()
                + "' takes the canary back, then deploy again");
      }
      Map<String, Prepared> prepared = prepareAll();
      List<String> failed =
          targets.stream().map(FleetNode::name).filter(n -> !prepared.get(n).ok()).toList();
      if (!failed.isEmpty()) {
        return report(
            RolloutReport.Outcome.FAILED,
            "preparing failed on " + String.join(", ", failed) + "; no node was switched",
            prepared,
            Map.of(),
            start);
      }
      if (stop.get()) {
        return report(
            RolloutReport.Outcome.INTERRUPTED,
            "interrupted after preparing; no node was switched (a rerun"
                + " reuses the prepared release)",
            prepared,
            Map.of(),
            start);
      }
      Optional<String> release =
          targets.stream()
              .map(n -> prepared.get(n.name()).newRelease())
              .flatMap(Optional::stream)
              .findFirst();
      if (!options.continuing()) {
        Optional<String> hookFailure = runOnce(prepared);
        if (hookFailure.isPresent()) {
          return report(
              RolloutReport.Outcome.FAILED,
              hookFailure.get() + "; no node was switched",
              prepared,
              Map.of(),
              start);
        }
      }
      Rollout.NodeSwitch activation =
          new Rollout.NodeSwitch() {
            @Override
            public DeployReport apply(String node) throws Exception {
              return deployer(node).activate(prepared.get(node), DeployListener.none());
            }

            @Override
            public DeployReport revert(String node) throws Exception {
              return deployer(node).revert(prepared.get(node), DeployListener.none());
            }
          };
      // Nodes that serve nothing yet start first, all at once, before the balancer lists them: a
      // new upstream enters HAProxy as UP, so it must already answer.
      List<String> fresh =
          targets.stream()
              .map(FleetNode::name)
              .filter(
                  n -> prepared.get(n).needsActivation() && prepared.get(n).liveBefore().isEmpty())
              .toList();
      Map<String, NodeResult> results = new LinkedHashMap<>();
      if (!fresh.isEmpty()) {
        listener.note("starting " + String.join(", ", fresh) + ", which serve(s) nothing yet");
        Rollout.Run first =
            new Rollout(Optional.empty(), spec.rollout(), spec.health(), listener, stop)
                .run(List.of(fresh), activation);
        results.putAll(first.nodes());
        if (first.outcome() != RolloutReport.Outcome.DONE) {
          return report(
              first.outcome(),
              "starting new nodes failed: " + first.message(),
              prepared,
              results,
              start);
        }
      }
      Optional<Balancer> balancer = convergeBalancer(spec);
      List<String> toSwitch =
          targets.stream()
              .map(FleetNode::name)
              .filter(n -> prepared.get(n).needsActivation() && !fresh.contains(n))
              .toList();
      // Without a balancer nothing can be drained: every node switches at once, after the hooks.
      int size =
          lb.isPresent() ? spec.rollout().batchSize(allWebs.size()) : Math.max(1, toSwitch.size());
      List<List<String>> batches = Batches.of(toSwitch, size, options.canary());
      listener.note(
          toSwitch.isEmpty()
              ? "every node already serves this code"
              : "activating "
                  + toSwitch.size()
                  + " node(s) in "
                  + batches.size()
                  + " batch(es) of up to "
                  + (options.canary() > 0 ? options.canary() : size)
                  + (lb.isEmpty()
                      ? " (no load balancer to drain)"
                      : ", draining each for up to "
                          + dev.hoist.project.Durations.format(spec.rollout().drain())));
      Rollout.Run run =
          new Rollout(balancer, spec.rollout(), spec.health(), listener, stop)
              .run(batches, activation);
      results.putAll(run.nodes());
      RolloutReport.Outcome outcome = run.outcome();
      String message = run.message();
      List<String> canaryNodes = batches.stream().flatMap(List::stream).toList();
      if (outcome == RolloutReport.Outcome.DONE
          && options.canary() > 0
          && toSwitch.size() > canaryNodes.size()) {
        lock.pause(release.orElse(""), deployment.bundle().hash(), canaryNodes);
        outcome = RolloutReport.Outcome.PAUSED;
        message =
            "canary: "
                + String.join(", ", canaryNodes)
                + " serve(s) "
                + release.orElse("the new release")
                + "; look at it, then 'hoist deploy --continue --env "
                + options.environment()
                + "' rolls it out to the"
                + " rest, or 'hoist rollback --env "
                + options.environment()
                + "' takes it back";
      } else if (outcome == RolloutReport.Outcome.DONE) {
        if (canary.isPresent()) {
          lock.clearCanary();
        }
        int switched = toSwitch.size() + fresh.size();
        message =
            switched == 0
                ? "nothing to roll out: every node already serves this code"
                : "rolled out " + release.orElse("the changes") + " to " + switched + " node(s)";
      }
      return report(outcome, message, prepared, results, start);
    } catch (IOException e) {
      throw new RolloutException(
          RolloutException.Kind.FAILED, "cannot read the project: " + e.getMessage());
    } finally {
      lock.release();
    }
  }

  /**
   * Sets up HAProxy on the lb node (probe, plan, apply) and puts back what an earlier run left
   * drained.
   */
  private Optional<Balancer> convergeBalancer(Spec spec)
      throws RolloutException, InterruptedException {
    if (lb.isEmpty()) {
      return Optional.empty();
    }
    Balancer balancer =
        new Balancer(
            connections.engine(lb.get().name()),
            Set.copyOf(allWebs.stream().map(FleetNode::name).toList()));
    Balancer.Stacks stacks =
        (supervisor, certOnNode) ->
            new BalancerStackBuilder(deployment.templates(), supervisor)
                .build(spec, upstreams(), deployment.edge().files(), certOnNode);
    Balancer.Converged converged = balancer.converge(stacks);
    listener.note(
        lb.get().name()
            + ": HAProxy "
            + (converged.changes().isEmpty()
                ? "up to date"
                : String.join(", ", converged.changes())));
    new HttpsOnBalancer(balancer, lb.get(), connections.node(lb.get().name()), listener)
        .secure(spec, converged.tls(), stacks);
    putBackDrained(balancer, converged.servers());
    return Optional.of(balancer);
  }

  private void checkCanary(Optional<EnvLock.Canary> canary) throws RolloutException {
    if (options.continuing() && canary.isEmpty()) {
      throw new RolloutException(
          RolloutException.Kind.USAGE,
          "no canary is waiting in "
              + options.environment()
              + "; 'hoist deploy --canary 1 --env "
              + options.environment()
              + "' starts one");
    }
    if (!options.continuing() && canary.isPresent()) {
      throw canary.get().waiting(options.environment());
    }
  }

  /**
   * A deploy killed between batches, or a node left in an unknown state, stays drained: back in, as
   * HAProxy's check allows (a drained server comes back only once its check passes). A server in
   * maintenance was put there by a person and is left alone.
   */
  private void putBackDrained(Balancer balancer, Map<String, Balancer.Server> servers)
      throws RolloutException, InterruptedException {
    List<String> drained =
        servers.entrySet().stream()
            .filter(e -> e.getValue().drained() && !e.getValue().maint())
            .map(Map.Entry::getKey)
            .toList();
    if (!drained.isEmpty()) {
      listener.note(
          "putting back " + String.join(", ", drained) + ", left drained by an earlier run");
      balancer.ready(drained, List.of(), Duration.ZERO);
    }
  }

  private Map<String, Prepared> prepareAll() throws InterruptedException {
    listener.note("preparing " + targets.size() + " node(s) while the old release serves");
    Map<String, Prepared> out = new LinkedHashMap<>();
    Parallel.run(
            targets.stream().map(FleetNode::name).toList(),
            "prepare",
            node -> {
              Prepared p = deployer(node).prepare(DeployListener.none());
              listener.node(
                  node,
                  p.ok()
                      ? "prepared "
                          + p.newRelease()
                              .map(r -> r + " (" + seconds(p.elapsed()) + ")")
                              .orElse("(no new release)")
                      : "preparing failed: " + p.error().orElse(""));
              return p;
            })
        .forEach(
            (node, o) -> {
              Prepared p =
                  o.value()
                      .orElseGet(
                          () ->
                              Prepared.failed(
                                  Failures.classify(o.error().orElseThrow()).message()));
              o.error()
                  .ifPresent(e -> listener.node(node, "preparing failed: " + p.error().orElse("")));
              out.put(node, p);
            });
    return out;
  }

  private Optional<String> runOnce(Map<String, Prepared> prepared) throws InterruptedException {
    if (deployment.spec().release().runOnce().isEmpty()) {
      return Optional.empty();
    }
    for (FleetNode node : targets) {
      Prepared p = prepared.get(node.name());
      if (p.newRelease().isPresent()) {
        listener.note("run_once hooks on " + node.name());
        try {
          return deployer(node.name())
              .runOnce(p, DeployListener.none())
              .map(e -> "a run_once hook failed on " + node.name() + ": " + e);
        } catch (Exception e) {
          return Optional.of(
              "run_once hooks on " + node.name() + ": " + Failures.classify(e).message());
        }
      }
    }
    return Optional.empty();
  }

  private RolloutReport report(
      RolloutReport.Outcome outcome,
      String message,
      Map<String, Prepared> prepared,
      Map<String, NodeResult> switched,
      long start) {
    List<NodeResult> nodes = new ArrayList<>();
    Optional<String> release = Optional.empty();
    for (FleetNode node : targets) {
      Prepared p = prepared.get(node.name());
      release = release.or(p::newRelease);
      NodeResult r = switched.get(node.name());
      if (r == null) {
        r =
            p.ok() && !p.needsActivation()
                ? NodeResult.untouched(node.name(), NodeResult.State.UNCHANGED, p.liveBefore())
                : new NodeResult(
                    node.name(),
                    NodeResult.State.NOT_SWITCHED,
                    p.liveBefore(),
                    p.error(),
                    Duration.ZERO);
      }
      nodes.add(r);
    }
    return new RolloutReport(
        outcome, message, nodes, release, Duration.ofNanos(System.nanoTime() - start));
  }

  private List<BalancerStack.Upstream> upstreams() {
    return allWebs.stream()
        .map(n -> new BalancerStack.Upstream(n.name(), n.spec().host(), 80))
        .toList();
  }

  private Deployer deployer(String node) {
    return new Deployer(connections.engine(node), deployment);
  }

  private static String seconds(Duration d) {
    return String.format("%.1fs", d.toMillis() / 1000.0);
  }
}
