package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.node.Agent;
import dev.hoist.node.AgentException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The I/O edges of a converge: one probe round trip and one apply round trip per node. */
public final class Engine {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration APPLY_TIMEOUT = Duration.ofMinutes(30);

  private final Agent agent;

  public Engine(Agent agent) {
    this.agent = agent;
  }

  public Agent agent() {
    return agent;
  }

  /** What one probe read: node facts, resource states by id, and the health check if asked. */
  public record Probe(JsonNode facts, Map<String, JsonNode> states, Optional<JsonNode> health) {
    /** The node lock of the app probed with {@link #probe(Collection, Optional, String)}. */
    public NodeLock nodeLock() {
      JsonNode lock = states.getOrDefault(NODE_LOCK, Agent.json().createObjectNode());
      return new NodeLock(
          lock.path("busy").asBoolean(),
          lock.path("holder").asText(""),
          lock.path("generation").asLong());
    }
  }

  /**
   * Whether another hoist run holds a node now (and who: "by since (command)"), and how many
   * applies have changed it: an apply that expects a generation is refused if another came between.
   */
  public record NodeLock(boolean busy, String holder, long generation) {}

  private static final String NODE_LOCK = "node-lock";

  /** Reads the state of every resource (and any extra probes) in one agent run. */
  public Probe probe(Collection<ProbeRequest> probes, Optional<AgentStep> health)
      throws AgentException, InterruptedException {
    return probe(probes, health, null);
  }

  /**
   * Reads the state of every resource in one agent run, and the node lock of the app whose root
   * directory is {@code lockRoot} (null: none).
   */
  public Probe probe(Collection<ProbeRequest> probes, Optional<AgentStep> health, String lockRoot)
      throws AgentException, InterruptedException {
    ObjectNode request = Agent.request("probe");
    if (lockRoot != null) {
      request.put("lock", lockRoot);
    }
    request.set("resources", AgentProtocol.probesToJson(probes));
    health.ifPresent(h -> request.set("health", AgentProtocol.toJson(h)));
    JsonNode result = agent.call(request, new byte[0], PROBE_TIMEOUT, event -> {});
    Map<String, JsonNode> states = new LinkedHashMap<>();
    result.path("states").properties().forEach(e -> states.put(e.getKey(), e.getValue()));
    return new Probe(result.path("facts"), states, Optional.ofNullable(result.get("health")));
  }

  /**
   * The steps of one apply run. If a step after {@code guard} fails, the agent runs {@code rescue}
   * (e.g. switch back to the previous release) before it reports; if one fails before it, {@code
   * cleanup} (e.g. mark the half-made release failed). {@code lock} is a directory the agent locks
   * for the run, so two runs never interleave.
   */
  public record ApplyRequest(
      List<AgentStep> steps,
      String guard,
      List<AgentStep> rescue,
      List<AgentStep> cleanup,
      String lock,
      byte[] payload,
      Optional<NodeClaim> claim) {
    public ApplyRequest {
      steps = List.copyOf(steps);
      rescue = List.copyOf(rescue);
      cleanup = List.copyOf(cleanup);
      payload = payload == null ? new byte[0] : payload;
    }

    public ApplyRequest(
        List<AgentStep> steps,
        String guard,
        List<AgentStep> rescue,
        List<AgentStep> cleanup,
        String lock,
        byte[] payload) {
      this(steps, guard, rescue, cleanup, lock, payload, Optional.empty());
    }

    /** The same request, made by {@code claim} (who holds the node lock, what it expects). */
    public ApplyRequest claimedBy(NodeClaim claim) {
      return new ApplyRequest(steps, guard, rescue, cleanup, lock, payload, Optional.of(claim));
    }
  }

  /**
   * How an apply run ended: which steps were done, the error, whether the rescue worked, and the
   * node's generation after it (-1 when the run took no node lock).
   */
  public record ApplyResult(
      boolean ok, String error, List<String> done, Optional<Boolean> rescued, long generation) {}

  /**
   * A progress event from the agent: a step starting or ending, or a line of a command's output.
   */
  public record StepEvent(String id, Status status, String note, String line, double seconds) {
    /** Where a step is; {@code LOG}: a line of its output (agent.py sends no status then). */
    public enum Status {
      START,
      OK,
      SKIP,
      FAIL,
      LOG;

      static Status parse(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
      }
    }

    public boolean isLog() {
      return line != null;
    }
  }

  public ApplyResult apply(ApplyRequest req, Consumer<StepEvent> onEvent)
      throws AgentException, InterruptedException {
    ObjectNode request = Agent.request("apply");
    request.putArray("steps").addAll(AgentProtocol.toJson(req.steps()));
    request.putArray("rescue").addAll(AgentProtocol.toJson(req.rescue()));
    request.putArray("cleanup").addAll(AgentProtocol.toJson(req.cleanup()));
    if (req.guard() != null) {
      request.put("guard", req.guard());
    }
    if (req.lock() != null) {
      request.put("lock", req.lock());
    }
    req.claim()
        .ifPresent(
            c -> {
              request
                  .putObject("holder")
                  .put("by", c.by())
                  .put("since", c.since())
                  .put("command", c.command());
              c.expectGeneration().ifPresent(g -> request.put("expect_generation", g));
            });
    JsonNode result =
        agent.call(request, req.payload(), APPLY_TIMEOUT, event -> onEvent.accept(toEvent(event)));
    List<String> done = new ArrayList<>();
    result.path("done").forEach(d -> done.add(d.asText()));
    JsonNode rescued = result.path("rescued");
    return new ApplyResult(
        result.path("ok").asBoolean(),
        result.path("error").asText(""),
        done,
        rescued.isBoolean() ? Optional.of(rescued.asBoolean()) : Optional.empty(),
        result.path("generation").asLong(-1));
  }

  private static StepEvent toEvent(JsonNode e) {
    String note = e.has("error") ? e.get("error").asText() : e.path("note").asText(null);
    return new StepEvent(
        e.path("id").asText(),
        StepEvent.Status.parse(e.path("status").asText("log")),
        note,
        e.has("line") ? e.get("line").asText() : null,
        e.path("secs").asDouble());
  }
}
