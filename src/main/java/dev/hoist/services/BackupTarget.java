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
import dev.hoist.stack.CopySource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

  /**
   * Lets {@code source}'s key write {@code app}'s copies into {@code directory}, after it left its
   * accounts of before; refused when the directory is another data node's.
   */
  public Report converge(CopySource source, String app, String directory)
      throws Failed, InterruptedException {
    Catalog catalog =
        BackupTargetStack.build(
            source.account(), source.node(), source.key().orElseThrow(), directory);
    List<ProbeRequest> probes =
        new ArrayList<>(catalog.ordered().stream().map(e -> e.resource().probe()).toList());
    probes.addAll(BackupTargetChanges.probes(source));
    probes.addAll(BackupTargetChanges.pathProbes(directory));
    String name = engine.agent().node().name();
    return run(
        probes,
        states -> {
          Optional<String> refused = BackupTargetChanges.refusal(source, directory, states);
          if (refused.isPresent()) {
            throw new Failed(name + ": nothing was changed there: " + refused.get());
          }
          // Off the accounts of before first: their release gives their directories to root.
          List<Change> changes = new ArrayList<>(BackupTargetChanges.leave(source, app, states));
          changes.addAll(Planner.plan(catalog, states, Set.of()).changes());
          changes.addAll(BackupTargetChanges.grant(source, app, directory, states));
          return changes;
        },
        "setting up copies");
  }

  /**
   * Takes {@code app}'s copies from {@code source} away (its key with the node's last app), and
   * what it still had in accounts of before.
   */
  public Report release(CopySource source, String app) throws Failed, InterruptedException {
    return run(
        BackupTargetChanges.probes(source),
        states -> BackupTargetChanges.release(source, app, states),
        "taking copies away");
  }

  /** Plans a target's changes from its probe's states; may refuse. */
  private interface Planning {
    List<Change> plan(Map<String, JsonNode> states) throws Failed;
  }

  private Report run(List<ProbeRequest> probes, Planning planner, String what)
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
      List<Change> changes = planner.plan(probe.states());
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
