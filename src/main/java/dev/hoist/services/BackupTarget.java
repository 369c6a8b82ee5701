package dev.hoist.services;

import dev.hoist.engine.Change;
import dev.hoist.engine.Engine;
import dev.hoist.engine.Engine.ApplyRequest;
import dev.hoist.engine.Engine.ApplyResult;
import dev.hoist.engine.Plan;
import dev.hoist.engine.PlanException;
import dev.hoist.engine.Planner;
import dev.hoist.node.AgentException;
import dev.hoist.stack.BackupTargetStack;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The target step of a deploy with {@code backup.to}: after the app's deploy, converges the node
 * that receives the data node's copies ({@link BackupTargetStack}) in one probe, plus one apply
 * when something is missing.
 */
public final class BackupTarget {
  /** What converging changed (summaries; empty when the node was ready) and its round trips. */
  public record Report(List<String> changes, int roundTrips) {}

  /** The target's setup failed or the node could not be reached: the message says which. */
  public static final class Failed extends Exception {
    public Failed(String message) {
      super(message);
    }
  }

  private final Engine engine;

  public BackupTarget(Engine engine) {
    this.engine = engine;
  }

  /** Lets {@code dataNode}'s key {@code publicKey} write copies into {@code directory}. */
  public Report converge(String dataNode, String publicKey, String directory)
      throws Failed, InterruptedException {
    String name = engine.agent().node().name();
    var catalog = BackupTargetStack.build(dataNode, publicKey, directory);
    try {
      Engine.Probe probe =
          engine.probe(
              catalog.ordered().stream().map(e -> e.resource().probe()).toList(), Optional.empty());
      if (probe.facts().path("euid").asInt(0) != 0) {
        throw new Failed(
            "hoist must run as root on "
                + name
                + " (it adds the user "
                + BackupTargetStack.USER
                + "); give its user passwordless sudo");
      }
      Plan plan = Planner.plan(catalog, probe.states(), Set.of());
      if (plan.isEmpty()) {
        return new Report(List.of(), engine.agent().roundTrips());
      }
      ApplyResult result =
          engine.apply(new ApplyRequest(plan.steps(), "", List.of(), List.of(), "", null), e -> {});
      if (!result.ok()) {
        throw new Failed("setting up copies on " + name + " failed: " + result.error());
      }
      return new Report(
          plan.changes().stream().map(Change::summary).toList(), engine.agent().roundTrips());
    } catch (PlanException | AgentException e) {
      throw new Failed(name + ": " + e.getMessage());
    }
  }
}
