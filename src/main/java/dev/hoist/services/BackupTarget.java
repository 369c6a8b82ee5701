package dev.hoist.services;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.Change;
import dev.hoist.engine.Engine;
import dev.hoist.engine.Engine.ApplyRequest;
import dev.hoist.engine.Engine.ApplyResult;
import dev.hoist.engine.Plan;
import dev.hoist.engine.PlanException;
import dev.hoist.engine.Planner;
import dev.hoist.engine.ProbeRequest;
import dev.hoist.node.AgentException;
import dev.hoist.stack.BackupTargetChanges;
import dev.hoist.stack.BackupTargetStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The target step of a deploy with {@code backup.to}: after the app's deploy, converges the node
 * that receives the data node's copies ({@link BackupTargetStack}, {@link BackupTargetChanges}) in
 * one probe, plus one apply when something is missing; or, when the deploy dropped or moved {@code
 * to:}, takes the data node's key away from the node it named before, the same way.
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

  /** Lets {@code dataNode}'s key {@code publicKey} write {@code app}'s copies into {@code dir}. */
  public Report converge(String dataNode, String app, String publicKey, String directory)
      throws Failed, InterruptedException {
    Catalog catalog = BackupTargetStack.build(dataNode, publicKey, directory);
    List<ProbeRequest> probes =
        new ArrayList<>(catalog.ordered().stream().map(e -> e.resource().probe()).toList());
    probes.addAll(BackupTargetChanges.probes(dataNode));
    return run(
        probes,
        states -> {
          List<Change> changes = new ArrayList<>(Planner.plan(catalog, states, Set.of()).changes());
          changes.addAll(BackupTargetChanges.grant(dataNode, app, directory, states));
          return changes;
        },
        "setting up copies");
  }

  /** Takes {@code app}'s copies from {@code dataNode} away (its key with the node's last app). */
  public Report release(String dataNode, String app) throws Failed, InterruptedException {
    return run(
        BackupTargetChanges.probes(dataNode),
        states -> BackupTargetChanges.release(dataNode, app, states),
        "taking copies away");
  }

  private Report run(
      List<ProbeRequest> probes, Function<Map<String, JsonNode>, List<Change>> planner, String what)
      throws Failed, InterruptedException {
    String name = engine.agent().node().name();
    try {
      Engine.Probe probe = engine.probe(probes, Optional.empty());
      if (probe.facts().path("euid").asInt(0) != 0) {
        throw new Failed(
            "hoist must run as root on "
                + name
                + " (it adds a user there for each data node); give its user passwordless sudo");
      }
      List<Change> changes = planner.apply(probe.states());
      if (changes.isEmpty()) {
        return new Report(List.of(), engine.agent().roundTrips());
      }
      ApplyResult result =
          engine.apply(
              new ApplyRequest(
                  new Plan(changes, Map.of()).steps(), "", List.of(), List.of(), "", null),
              e -> {});
      if (!result.ok()) {
        throw new Failed(what + " on " + name + " failed: " + result.error());
      }
      return new Report(
          changes.stream().map(Change::summary).toList(), engine.agent().roundTrips());
    } catch (PlanException | AgentException e) {
      throw new Failed(name + ": " + e.getMessage());
    }
  }
}
