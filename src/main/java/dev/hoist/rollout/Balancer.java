package dev.hoist.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hoist.engine.AgentOp;
import dev.hoist.engine.AgentStep;
import dev.hoist.engine.Engine;
import dev.hoist.engine.Engine.ApplyRequest;
import dev.hoist.engine.Engine.ApplyResult;
import dev.hoist.engine.Engine.StepEvent;
import dev.hoist.engine.Plan;
import dev.hoist.engine.PlanException;
import dev.hoist.engine.Planner;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;
import dev.hoist.engine.ServiceResource;
import dev.hoist.node.AgentException;
import dev.hoist.stack.AppLayout;
import dev.hoist.stack.BalancerStack;
import dev.hoist.stack.TlsProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The load-balancer node: converges its HAProxy, takes web nodes out (draining them) and puts them
 * back.
 */
public final class Balancer {
  /**
   * One web node as HAProxy sees it: its status (UP, DOWN, DRAIN, MAINT and "UP 1/2"-like
   * transitions), and whether it was drained (by hoist) or put in maintenance (by a person).
   */
  public record Server(String status, boolean drained, boolean maint) {}

  /**
   * What converging did, the servers as they were found, and the node's certificate state (one
   * probe for all).
   */
  public record Converged(List<String> changes, Map<String, Server> servers, JsonNode tls) {}

  /** The balancer's stack for a supervisor, and whether the node already holds its certificate. */
  @FunctionalInterface
  public interface Stacks {
    BalancerStack build(ServiceResource.Supervisor supervisor, boolean certOnNode);
  }

  private final Engine engine;
  private final java.util.Set<String> upstreams;

  /**
   * {@code upstreams}: the nodes behind it; others (worker nodes) are never drained or waited for.
   */
  public Balancer(Engine engine, java.util.Set<String> upstreams) {
    this.engine = engine;
    this.upstreams = java.util.Set.copyOf(upstreams);
  }

  public String name() {
    return engine.agent().node().name();
  }

  /**
   * Probes (the stack and HAProxy's servers at once), plans and applies the balancer's stack; after
   * a reload, waits until the new worker answers, so later commands reach the one that stays.
   */
  public Converged converge(Stacks stacks) throws RolloutException, InterruptedException {
    try {
      ServiceResource.Supervisor supervisor = ServiceResource.Supervisor.RUNIT;
      BalancerStack stack = stacks.build(supervisor, false);
      Engine.Probe probe = probeWith(stack);
      if ("systemd".equals(probe.facts().path("supervisor").asText())) {
        // The first guess was wrong (PID 1 is systemd): build for it and read again.
        supervisor = ServiceResource.Supervisor.SYSTEMD;
        stack = stacks.build(supervisor, false);
        probe = probeWith(stack);
      }
      JsonNode tls = probe.states().getOrDefault(TlsProbe.ID, MissingNode.getInstance());
      // The same resources either way: only what HAProxy serves differs.
      stack = stacks.build(supervisor, TlsProbe.certOnNode(tls));
      if (probe.facts().path("euid").asInt(0) != 0) {
        throw new RolloutException(
            RolloutException.Kind.FAILED,
            "hoist must run as root on "
                + name()
                + " (it installs HAProxy and writes /etc); give its user passwordless sudo");
      }
      JsonNode lb = probe.states().getOrDefault("lb", MissingNode.getInstance());
      Map<String, Server> servers = parse(lb);
      Plan plan = Planner.plan(stack.catalog(), probe.states(), Set.of());
      if (plan.isEmpty()) {
        return new Converged(List.of(), servers, tls);
      }
      List<AgentStep> steps = new ArrayList<>(plan.steps());
      String serviceId = stack.service().id();
      if (plan.changes().stream().anyMatch(c -> c.id().equals(serviceId))) {
        OptionalInt oldPid =
            lb.path("pid").isInt() ? OptionalInt.of(lb.path("pid").asInt()) : OptionalInt.empty();
        steps.add(
            AgentStep.of(
                "reloaded",
                new AgentOp.LbWaitReload(
                    BalancerStack.ADMIN_SOCKET, Duration.ofSeconds(30), oldPid)));
      }
      ApplyResult result =
          engine.apply(new ApplyRequest(steps, "", List.of(), List.of(), "", null), e -> {});
      if (!result.ok()) {
        throw new RolloutException(
            RolloutException.Kind.FAILED,
            "setting up the load balancer on " + name() + " failed: " + result.error());
      }
      return new Converged(plan.changes().stream().map(c -> c.summary()).toList(), servers, tls);
    } catch (PlanException | AgentException e) {
      throw new RolloutException(RolloutException.Kind.FAILED, name() + ": " + e.getMessage());
    }
  }

  /** The backend's servers by name; an error when HAProxy is not running. */
  public Map<String, Server> servers() throws RolloutException, InterruptedException {
    try {
      JsonNode state =
          engine
              .probe(List.of(serversProbe()), Optional.empty())
              .states()
              .getOrDefault("lb", MissingNode.getInstance());
      if (state.has("error")) {
        throw new RolloutException(
            RolloutException.Kind.FAILED, name() + ": " + state.path("error").asText());
      }
      return parse(state);
    } catch (AgentException e) {
      throw new RolloutException(RolloutException.Kind.UNREACHABLE, name() + ": " + e.getMessage());
    }
  }

  private static ProbeRequest serversProbe() {
    return new ProbeRequest(
        "lb", new ProbeKind.Lb(BalancerStack.ADMIN_SOCKET, BalancerStack.BACKEND));
  }

  private static Map<String, Server> parse(JsonNode state) {
    Map<String, Server> out = new LinkedHashMap<>();
    state
        .path("servers")
        .properties()
        .forEach(
            e ->
                out.put(
                    e.getKey(),
                    new Server(
                        e.getValue().path("status").asText(),
                        e.getValue().path("drained").asBoolean(),
                        e.getValue().path("maint").asBoolean())));
    return out;
  }

  /**
   * Stops new requests to {@code servers}, waits up to {@code drain} for in-flight ones, then holds
   * them out.
   */
  public String drain(List<String> servers, Duration drain)
      throws RolloutException, InterruptedException {
    List<String> behind = behind(servers);
    return behind.isEmpty()
        ? "not behind the balancer"
        : run(AgentStep.of("drain", new AgentOp.LbDrain(HAPROXY, behind, drain)));
  }

  /**
   * Puts {@code servers} back and waits (up to {@code timeout}) until HAProxy's own check sees
   * those of {@code waitFor} UP (a node that went away stays DOWN by that check, and is not waited
   * for).
   */
  public String ready(List<String> servers, List<String> waitFor, Duration timeout)
      throws RolloutException, InterruptedException {
    List<String> behind = behind(servers);
    if (behind.isEmpty()) {
      return "not behind the balancer";
    }
    return run(
        AgentStep.of("ready", new AgentOp.LbReady(HAPROXY, behind, timeout, behind(waitFor))));
  }

  private List<String> behind(List<String> servers) {
    return servers.stream().filter(upstreams::contains).toList();
  }

  private static final AgentOp.Haproxy HAPROXY =
      new AgentOp.Haproxy(BalancerStack.ADMIN_SOCKET, BalancerStack.BACKEND);

  private String run(AgentStep step) throws RolloutException, InterruptedException {
    StringBuilder note = new StringBuilder();
    try {
      ApplyResult result =
          engine.apply(
              new ApplyRequest(List.of(step.finishing()), "", List.of(), List.of(), "", null),
              e -> {
                if (e.status() == StepEvent.Status.OK && e.note() != null) {
                  note.append(e.note());
                }
              });
      if (!result.ok()) {
        throw new RolloutException(RolloutException.Kind.FAILED, name() + ": " + result.error());
      }
      return note.toString();
    } catch (AgentException e) {
      throw new RolloutException(
          RolloutException.Kind.UNREACHABLE,
          "lost the load balancer " + name() + ": " + e.getMessage());
    }
  }

  private Engine.Probe probeWith(BalancerStack stack) throws AgentException, InterruptedException {
    List<ProbeRequest> probes = new ArrayList<>();
    stack.catalog().ordered().forEach(e -> probes.add(e.resource().probe()));
    probes.add(serversProbe());
    probes.add(TlsProbe.of(new AppLayout(stack.app())));
    return engine.probe(probes, Optional.empty());
  }
}
