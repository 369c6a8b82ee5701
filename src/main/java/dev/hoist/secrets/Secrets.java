package dev.hoist.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hoist.engine.AgentOp;
import dev.hoist.engine.AgentStep;
import dev.hoist.engine.Engine;
import dev.hoist.engine.Engine.ApplyRequest;
import dev.hoist.engine.Engine.ApplyResult;
import dev.hoist.engine.Engine.StepEvent;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;
import dev.hoist.engine.ServiceResource;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.node.AgentException;
import dev.hoist.project.Spec;
import dev.hoist.stack.AppLayout;
import dev.hoist.stack.SecretsProbe;
import dev.hoist.stack.Stack;
import dev.hoist.stack.StackBuilder;
import dev.hoist.stack.Templates;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The app's secrets on one node, through the agent: list (one probe), set or unset (a probe, then
 * one apply that writes the secrets and reloads gunicorn gracefully and restarts the processes that
 * run), and the values for {@code --show}. Values travel only inside the apply request and the
 * values probe; nothing here puts one in a message.
 */
public final class Secrets {
  private final Spec spec;
  private final Templates templates;
  private final AppLayout layout;

  public Secrets(Spec spec, Templates templates) {
    this.spec = spec;
    this.templates = templates;
    this.layout = new AppLayout(spec.app());
  }

  /** The names in a {@link SecretsProbe} answer, with when and by whom each was set. */
  public static NodeSecrets names(JsonNode state) {
    Map<String, SecretInfo> names = new TreeMap<>();
    state
        .path("names")
        .properties()
        .forEach(
            e ->
                names.put(
                    e.getKey(),
                    new SecretInfo(
                        e.getValue().path("set").asText(""), e.getValue().path("by").asText(""))));
    return new NodeSecrets(names);
  }

  public NodeSecrets list(Engine engine) throws SecretsException, InterruptedException {
    Engine.Probe probe = probe(engine, List.of(SecretsProbe.of(layout)));
    return names(state(engine, probe, SecretsProbe.ID));
  }

  /** The values, for {@code --show}. */
  public SecretValues reveal(Engine engine) throws SecretsException, InterruptedException {
    ProbeRequest values =
        new ProbeRequest("values", new ProbeKind.SecretsValues(layout.secretsFile()));
    JsonNode state = state(engine, probe(engine, List.of(values)), "values");
    Map<String, String> out = new LinkedHashMap<>();
    state.path("values").properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return new SecretValues(out);
  }

  /**
   * Writes {@code change} on the node, as {@code by} ({@code user@host}) at {@code at}, then
   * reloads the app and restarts its processes where they run (a node the app is not deployed to
   * yet only keeps the secrets for its first deploy).
   */
  public SecretsUpdated update(Engine engine, SecretChange change, String by, Instant at)
      throws SecretsException, InterruptedException {
    Stack stack = new StackBuilder(templates, Supervisor.RUNIT).build(spec);
    Engine.Probe probe = probe(engine, serviceProbes(stack));
    if ("systemd".equals(probe.facts().path("supervisor").asText())) {
      stack = new StackBuilder(templates, Supervisor.SYSTEMD).build(spec);
      probe = probe(engine, serviceProbes(stack));
    }
    List<AgentStep> steps = new ArrayList<>();
    steps.add(
        AgentStep.of(
            "secrets",
            new AgentOp.SecretsUpdate(
                spec.app(),
                layout.secretsFile(),
                layout.secretsIndex(),
                by,
                at.truncatedTo(ChronoUnit.SECONDS).toString(),
                change.sets(),
                change.unsets())));
    List<String> refreshed = new ArrayList<>();
    List<ServiceResource> services = new ArrayList<>(List.of(stack.appService()));
    services.addAll(stack.processServices());
    for (ServiceResource service : services) {
      JsonNode state = probe.states().getOrDefault(service.id(), MissingNode.getInstance());
      if ("run".equals(state.path("state").asText())) {
        steps.addAll(service.refreshChange("the secrets changed").steps());
        refreshed.add(service.name());
      }
    }
    ApplyResult result;
    StringBuilder note = new StringBuilder();
    try {
      result =
          engine.apply(
              new ApplyRequest(steps, null, List.of(), List.of(), layout.root(), new byte[0]),
              event -> {
                if ("secrets".equals(event.id()) && event.status() == StepEvent.Status.OK) {
                  note.append(event.note());
                }
              });
    } catch (AgentException e) {
      throw new SecretsException(e.getMessage(), e);
    }
    if (!result.ok()) {
      boolean written = result.done().contains("secrets");
      throw new SecretsException(
          node(engine)
              + ": "
              + (written
                  ? "the secrets were written, but the app did not take them: "
                  : "nothing was changed: ")
              + result.error().strip());
    }
    return new SecretsUpdated(note.toString(), refreshed);
  }

  private List<ProbeRequest> serviceProbes(Stack stack) {
    List<ProbeRequest> probes = new ArrayList<>();
    probes.add(stack.appService().probe());
    stack.processServices().forEach(p -> probes.add(p.probe()));
    return probes;
  }

  private static Engine.Probe probe(Engine engine, List<ProbeRequest> probes)
      throws SecretsException, InterruptedException {
    Engine.Probe probe;
    try {
      probe = engine.probe(probes, Optional.empty());
    } catch (AgentException e) {
      throw new SecretsException(e.getMessage(), e);
    }
    if (probe.facts().path("euid").asInt(0) != 0) {
      throw new SecretsException(
          "hoist must run as root on "
              + node(engine)
              + " (the secrets are root's to read and write); run it with sudo");
    }
    return probe;
  }

  private static JsonNode state(Engine engine, Engine.Probe probe, String id)
      throws SecretsException {
    JsonNode state = probe.states().getOrDefault(id, MissingNode.getInstance());
    if (state.has("error")) {
      throw new SecretsException(node(engine) + ": " + state.path("error").asText());
    }
    return state;
  }

  private static String node(Engine engine) {
    return engine.agent().node().name();
  }
}
