package dev.hoist.rollout;

import dev.hoist.fleet.FleetNode;
import dev.hoist.project.Spec;
import dev.hoist.release.DeployListener;
import dev.hoist.release.DeployReport;
import dev.hoist.release.ReleaseState;
import dev.hoist.release.Rollback;
import dev.hoist.stack.Stack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Switches web nodes to another release behind the balancer, batch by batch, under the
 * environment's lock: {@code hoist activate RELEASE --node web1} and {@code hoist rollback --env}.
 * Rolling back while a canary waits takes back the canary's nodes and forgets it.
 */
public final class RollingSwitch implements RolloutJob {
  private final Stack stack;
  private final String environment;
  private final List<FleetNode> targets;
  private final FleetNode lb;
  private final Optional<String> release;
  private final String command;
  private Connections connections;
  private final AtomicBoolean stop = new AtomicBoolean();

  /**
   * Switches {@code targets} to {@code release} (empty: each node's release before its live one).
   */
  public RollingSwitch(
      Stack stack,
      String environment,
      List<FleetNode> targets,
      FleetNode lb,
      Optional<String> release,
      String command) {
    this.stack = stack;
    this.environment = environment;
    this.targets = List.copyOf(targets);
    this.lb = lb;
    this.release = release;
    this.command = command;
  }

  @Override
  public List<FleetNode> nodes() {
    List<FleetNode> all = new ArrayList<>(targets);
    all.addFirst(lb);
    return all;
  }

  @Override
  public void stop() {
    stop.set(true);
  }

  @Override
  public RolloutReport run(Connections connections, RolloutListener listener)
      throws RolloutException, InterruptedException {
    this.connections = connections;
    long start = System.nanoTime();
    Spec spec = stack.spec();
    EnvLock lock = new EnvLock(connections.engine(lb.name()), spec.app(), environment);
    lock.take(command);
    try {
      Optional<EnvLock.Canary> canary = lock.canary();
      Map<String, ReleaseState> releases = releases();
      Map<String, Optional<String>> live = new LinkedHashMap<>();
      releases.forEach((node, state) -> live.put(node, state.current()));
      // Nodes already on the wanted release have nothing to do (a rerun of activate, say).
      List<String> nodes =
          targets.stream()
              .map(FleetNode::name)
              .filter(n -> release.isEmpty() || !live.get(n).equals(release))
              .toList();
      if (canary.isPresent() && release.isEmpty()) {
        // Every node serving the canary's release: the canary's, and any a stopped --continue
        // reached.
        nodes =
            nodes.stream()
                .filter(n -> live.get(n).equals(Optional.of(canary.get().release())))
                .toList();
        if (nodes.isEmpty()) {
          throw new RolloutException(
              RolloutException.Kind.USAGE,
              "none of the chosen nodes serves the canary's"
                  + " release "
                  + canary.get().release()
                  + " (it waits on "
                  + String.join(", ", canary.get().nodes())
                  + ")");
        }
        listener.note(
            "taking back the canary of "
                + canary.get().release()
                + " on "
                + String.join(", ", nodes));
      } else if (canary.isPresent()) {
        throw canary.get().waiting(environment);
      }
      Map<String, Balancer.Server> servers =
          new Balancer(connections.engine(lb.name()), Set.of()).servers();
      if (servers.isEmpty()) {
        throw new RolloutException(
            RolloutException.Kind.FAILED,
            "the load balancer on "
                + lb.name()
                + " has no web nodes; 'hoist deploy --env "
                + environment
                + "' sets it up");
      }
      Balancer balancer = new Balancer(connections.engine(lb.name()), servers.keySet());
      Map<String, Optional<String>> before = new ConcurrentHashMap<>();
      Rollout rollout =
          new Rollout(Optional.of(balancer), spec.rollout(), spec.health(), listener, stop);
      Rollout.Run run =
          rollout.run(
              Batches.of(nodes, spec.rollout().batchSize(servers.size()), 0),
              new Rollout.NodeSwitch() {
                @Override
                public DeployReport apply(String node) throws Exception {
                  DeployReport r =
                      new Rollback(connections.engine(node))
                          .rollback(stack, releases.get(node), release, DeployListener.none());
                  before.put(node, r.liveBefore());
                  return r;
                }

                @Override
                public DeployReport revert(String node) throws Exception {
                  return new Rollback(connections.engine(node))
                      .rollback(
                          stack,
                          before.getOrDefault(node, Optional.empty()),
                          DeployListener.none());
                }
              });
      String message = run.message();
      if (run.outcome() == RolloutReport.Outcome.DONE) {
        if (canary.isPresent()) {
          lock.clearCanary();
        }
        message =
            nodes.isEmpty()
                ? "nothing to do: every chosen node already serves " + release.orElse("it")
                : (release.isPresent() ? "activated " + release.get() + " on " : "rolled back ")
                    + String.join(", ", nodes);
      }
      List<NodeResult> results = new ArrayList<>();
      List<String> switching = nodes;
      targets.forEach(
          t ->
              results.add(
                  run.nodes()
                      .getOrDefault(
                          t.name(),
                          NodeResult.untouched(
                              t.name(),
                              switching.contains(t.name())
                                  ? NodeResult.State.NOT_SWITCHED
                                  : NodeResult.State.UNCHANGED,
                              live.get(t.name())))));
      return new RolloutReport(
          run.outcome(), message, results, release, Duration.ofNanos(System.nanoTime() - start));
    } finally {
      lock.release();
    }
  }

  /**
   * Each target's releases (one probe each, at once): what it serves now, and what it can switch
   * to.
   */
  private Map<String, ReleaseState> releases() throws RolloutException, InterruptedException {
    Map<String, ReleaseState> out = new LinkedHashMap<>();
    for (var e :
        Parallel.run(
                targets.stream().map(FleetNode::name).toList(),
                "releases",
                node -> new Rollback(connections.engine(node)).releases(stack))
            .entrySet()) {
      if (e.getValue().error().isPresent()) {
        throw new RolloutException(
            RolloutException.Kind.UNREACHABLE,
            e.getKey()
                + ": "
                + dev.hoist.fleet.Failures.classify(e.getValue().error().get()).message());
      }
      out.put(e.getKey(), e.getValue().value().orElseThrow());
    }
    return out;
  }
}
