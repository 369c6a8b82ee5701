package dev.hoist.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.AgentOp;
import dev.hoist.engine.AgentProtocol;
import dev.hoist.engine.AgentStep;
import dev.hoist.engine.Attributes;
import dev.hoist.engine.Engine;
import dev.hoist.engine.Engine.ApplyRequest;
import dev.hoist.engine.Engine.ApplyResult;
import dev.hoist.engine.NodeClaim;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;
import dev.hoist.node.AgentException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An environment's deploy lock, and the record of a canary waiting for the user, kept as files on
 * one node of the environment (its balancer) so every admin machine sees them. Taken atomically.
 */
public final class EnvLock {
  private static final String STATE_DIR = "/var/lib/hoist";

  /** Who holds the lock. */
  public record Holder(String by, String since, String command) {}

  /** A canary left for the user: which release, built from which code, on which nodes. */
  public record Canary(String release, String hash, List<String> nodes, String by, String since) {
    /** Refuses what cannot happen while this canary waits, saying how to end the wait. */
    RolloutException waiting(String environment) {
      return new RolloutException(
          RolloutException.Kind.LOCKED,
          "a canary of "
              + release
              + " waits on "
              + String.join(", ", nodes)
              + " (started by "
              + by
              + " at "
              + since
              + "); 'hoist deploy --continue --env "
              + environment
              + "' rolls it out to the rest, 'hoist rollback --env "
              + environment
              + "' takes it back");
    }
  }

  private final Engine engine;
  private final String lockPath;
  private final String pausedPath;
  private final String token = UUID.randomUUID().toString();
  private final String environment;

  public EnvLock(Engine engine, String app, String environment) {
    this(engine, app, environment, STATE_DIR);
  }

  /** With the lock and canary files under {@code stateDir} (tests). */
  EnvLock(Engine engine, String app, String environment, String stateDir) {
    this.engine = engine;
    this.environment = environment;
    this.lockPath = stateDir + "/locks/" + app + "." + environment + ".json";
    this.pausedPath = stateDir + "/rollouts/" + app + "." + environment + ".json";
  }

  public String node() {
    return engine.agent().node().name();
  }

  /** Takes the lock, or says who has it and since when. */
  public void take(String command) throws RolloutException, InterruptedException {
    var holder =
        new AgentOp.LockTake.Holder(whoAmI(), now(), command, token, ProcessHandle.current().pid());
    ApplyResult r = apply(AgentStep.of("lock", new AgentOp.LockTake(lockPath, holder)));
    if (!r.ok() && !r.error().startsWith("held by")) {
      throw new RolloutException(
          RolloutException.Kind.FAILED,
          "cannot take the deploy lock on " + node() + ": " + r.error());
    }
    if (!r.ok()) {
      throw new RolloutException(
          RolloutException.Kind.LOCKED,
          "another deploy of "
              + environment
              + " is running: its"
              + " lock on "
              + node()
              + " is "
              + r.error().strip()
              + ". Wait for it to end; if it was killed, 'hoist unlock"
              + " --env "
              + environment
              + "' breaks the lock");
    }
  }

  /** Gives the lock back if this run still holds it. */
  public void release() throws InterruptedException {
    try {
      apply(AgentStep.of("unlock", new AgentOp.LockRelease(lockPath, Optional.of(token), false)));
    } catch (RolloutException e) {
      // The node went away: the lock stays, and 'hoist unlock' breaks it.
    }
  }

  /** Breaks the lock whoever holds it; returns who held it. */
  public Optional<Holder> breakLock() throws RolloutException, InterruptedException {
    Optional<Holder> holder = holder();
    ApplyResult r =
        apply(AgentStep.of("unlock", new AgentOp.LockRelease(lockPath, Optional.empty(), true)));
    if (!r.ok()) {
      throw new RolloutException(RolloutException.Kind.FAILED, node() + ": " + r.error());
    }
    return holder;
  }

  public Optional<Holder> holder() throws RolloutException, InterruptedException {
    JsonNode v = read(lockPath);
    return v.isObject()
        ? Optional.of(
            new Holder(
                v.path("by").asText("someone"),
                v.path("since").asText("?"),
                v.path("command").asText("")))
        : Optional.empty();
  }

  public Optional<Canary> canary() throws RolloutException, InterruptedException {
    JsonNode v = read(pausedPath);
    if (!v.isObject()) {
      return Optional.empty();
    }
    List<String> nodes = new java.util.ArrayList<>();
    v.path("nodes").forEach(n -> nodes.add(n.asText()));
    return Optional.of(
        new Canary(
            v.path("release").asText(),
            v.path("hash").asText(),
            List.copyOf(nodes),
            v.path("by").asText(),
            v.path("since").asText()));
  }

  /** Records a canary waiting for 'hoist deploy --continue' or 'hoist rollback'. */
  public void pause(String release, String hash, List<String> nodes)
      throws RolloutException, InterruptedException {
    ObjectNode value =
        AgentProtocol.json()
            .createObjectNode()
            .put("release", release)
            .put("hash", hash)
            .put("by", whoAmI())
            .put("since", now());
    value.set("nodes", AgentProtocol.array(nodes));
    byte[] bytes = value.toString().getBytes(StandardCharsets.UTF_8);
    var write =
        new AgentOp.FileWrite(pausedPath, bytes, Attributes.of("root", "root", "0600"), List.of());
    ApplyResult r = apply(AgentStep.of("pause", write));
    if (!r.ok()) {
      throw new RolloutException(RolloutException.Kind.FAILED, node() + ": " + r.error());
    }
  }

  /** Forgets the waiting canary (it was continued or rolled back). */
  public void clearCanary() throws RolloutException, InterruptedException {
    apply(AgentStep.of("unpause", new AgentOp.PathRemove(pausedPath)));
  }

  private JsonNode read(String path) throws RolloutException, InterruptedException {
    try {
      return engine
          .probe(List.of(new ProbeRequest("json", new ProbeKind.Json(path))), Optional.empty())
          .states()
          .getOrDefault("json", MissingNode.getInstance())
          .path("value");
    } catch (AgentException e) {
      throw new RolloutException(RolloutException.Kind.UNREACHABLE, node() + ": " + e.getMessage());
    }
  }

  private ApplyResult apply(AgentStep step) throws RolloutException, InterruptedException {
    try {
      return engine.apply(
          new ApplyRequest(List.of(step.finishing()), "", List.of(), List.of(), "", null), e -> {});
    } catch (AgentException e) {
      throw new RolloutException(RolloutException.Kind.UNREACHABLE, node() + ": " + e.getMessage());
    }
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String whoAmI() {
    return NodeClaim.whoAmI();
  }
}
