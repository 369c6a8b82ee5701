package dev.hoist.release;

import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hoist.engine.AgentStep;
import dev.hoist.engine.Engine;
import dev.hoist.engine.Engine.ApplyRequest;
import dev.hoist.engine.Engine.ApplyResult;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;
import dev.hoist.node.AgentException;
import dev.hoist.stack.Stack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Lists releases and switches back to an earlier one, gracefully and health-checked. */
public final class Rollback {
  private final Engine engine;

  public Rollback(Engine engine) {
    this.engine = engine;
  }

  /** The releases on the node (one round trip). */
  public ReleaseState releases(Stack stack) throws DeployException, InterruptedException {
    try {
      var probe =
          engine.probe(
              List.of(new ProbeRequest("release", new ProbeKind.Release(stack.layout().root()))),
              Optional.empty());
      return ReleaseState.from(probe.states().getOrDefault("release", MissingNode.getInstance()));
    } catch (AgentException e) {
      throw new DeployException(e.getMessage(), e);
    }
  }

  /**
   * Switches to {@code target} (default: the release before the live one); switches back if it is
   * sick.
   */
  public DeployReport rollback(Stack stack, Optional<String> target, DeployListener listener)
      throws DeployException, InterruptedException {
    return rollback(stack, releases(stack), target, listener);
  }

  /**
   * As {@link #rollback(Stack, Optional, DeployListener)}, with the node's releases already read.
   */
  public DeployReport rollback(
      Stack stack, ReleaseState state, Optional<String> target, DeployListener listener)
      throws DeployException, InterruptedException {
    long start = System.nanoTime();
    if (state.current().isEmpty()) {
      throw new DeployException(
          "no release is live for " + stack.spec().app() + "; deploy first", null);
    }
    String to;
    if (target.isPresent()) {
      ReleaseState.Release r =
          state
              .find(target.get())
              .orElseThrow(
                  () ->
                      new DeployException(
                          "no release " + target.get() + "; 'hoist releases' lists them", null));
      if (r.incomplete()) {
        throw new DeployException("release " + r.id() + " is incomplete and cannot go live", null);
      }
      to = r.id();
    } else {
      to =
          state
              .rollbackTarget()
              .map(ReleaseState.Release::id)
              .orElseThrow(
                  () ->
                      new DeployException(
                          "there is no earlier healthy release to roll back to; 'hoist releases' lists them",
                          null));
    }
    String from = state.current().get();
    if (to.equals(from)) {
      throw new DeployException("release " + to + " is already live", null);
    }
    ReleaseSteps steps = new ReleaseSteps(stack);
    List<AgentStep> main = new ArrayList<>(steps.activate(Optional.of(to), Map.of()));
    main.removeIf(s -> "prune".equals(s.id()));
    List<AgentStep> rescue = new ArrayList<>(steps.rescue(to, Optional.of(from)));
    rescue.removeIf(s -> "mark-failed".equals(s.id()));
    ApplyResult result;
    try {
      result =
          engine.apply(
              new ApplyRequest(
                  main, ReleaseSteps.SWITCH, rescue, List.of(), stack.layout().root(), null),
              listener::step);
    } catch (AgentException e) {
      throw new DeployException(e.getMessage(), e);
    }
    boolean rescued = result.rescued().orElse(false);
    // Live now: the target if it switched and stayed; the old one if it never switched or went
    // back.
    boolean onTarget = result.done().contains(ReleaseSteps.SWITCH) && (result.ok() || !rescued);
    return new DeployReport(
        engine.agent().node().name(),
        true,
        List.of(),
        Optional.of(from),
        Optional.of(to),
        "rollback",
        result.ok(),
        result.ok() ? Optional.empty() : Optional.of(result.error()),
        rescued,
        Optional.of(onTarget ? to : from),
        result.ok() ? "healthy" : "failed",
        Duration.ofNanos(System.nanoTime() - start),
        engine.agent().roundTrips(),
        List.of());
  }
}
