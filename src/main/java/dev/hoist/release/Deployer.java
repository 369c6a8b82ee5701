package dev.hoist.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hoist.engine.AgentStep;
import dev.hoist.engine.Engine;
import dev.hoist.engine.Engine.ApplyRequest;
import dev.hoist.engine.Engine.ApplyResult;
import dev.hoist.engine.NodeClaim;
import dev.hoist.engine.Plan;
import dev.hoist.engine.PlanException;
import dev.hoist.engine.Planner;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.node.AgentException;
import dev.hoist.node.Trace;
import dev.hoist.project.Spec;
import dev.hoist.stack.BackupConfig;
import dev.hoist.stack.BackupKey;
import dev.hoist.stack.CronPlacement;
import dev.hoist.stack.SecretsProbe;
import dev.hoist.stack.Stack;
import dev.hoist.stack.TlsProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Deploys a spec to one node: probe once, plan purely, apply once (stack changes, then a new
 * release prepared beside the live one, switched, reloaded and health-checked, or switched back).
 */
public final class Deployer {

  private final Engine engine;
  private final Deployment deployment;

  /**
   * The node's generation as this deployer last saw it (its probe, then its own applies); empty in
   * a deployer that did not probe (a rolling deploy's later phases, under the environment lock).
   */
  private OptionalLong generation = OptionalLong.empty();

  /** The node's TLS state as this deployer's probe read it (the certificate, never a key). */
  private JsonNode tlsState = MissingNode.getInstance();

  /** {@code deployment}: what the deployers of all nodes of one deploy share. */
  public Deployer(Engine engine, Deployment deployment) {
    this.engine = engine;
    this.deployment = deployment;
  }

  /** Everything a deploy decided before touching the node. */
  record Decision(
      Stack stack,
      Plan plan,
      ReleaseState releases,
      String hash,
      Optional<String> newRelease,
      String releaseReason,
      boolean alreadyPrepared,
      String health,
      List<String> warnings) {}

  /**
   * The app's certificate on the node and the ACME runner's last result, as the last probe read
   * them (missing before a probe).
   */
  public JsonNode tlsState() {
    return tlsState;
  }

  /** Plans only: what a deploy would change, touching nothing. */
  public DeployReport plan() throws DeployException, InterruptedException {
    long start = System.nanoTime();
    Decision d = decide();
    return report(d, false, true, Optional.empty(), false, d.releases().current(), start);
  }

  /**
   * Deploys in one go: converge, prepare, run the run_once hooks, switch, reload, check (a fleet
   * with run_once hooks goes through {@link #prepare} and {@link #activate} instead, so the hooks
   * run once, before any node switches).
   */
  public DeployReport deploy(DeployListener listener) throws DeployException, InterruptedException {
    long start = System.nanoTime();
    listener.phase(DeployListener.Phase.PROBE, 0);
    Decision d = decide();
    Trace.mark(engine.agent().node().name() + " probed and planned");
    ReleaseSteps steps = new ReleaseSteps(d.stack());
    if (d.plan().isEmpty() && d.newRelease().isEmpty()) {
      boolean healthy = d.health().startsWith("healthy");
      return report(
          d,
          true,
          healthy,
          healthy ? Optional.empty() : Optional.of("health check fails: " + d.health()),
          false,
          d.releases().current(),
          start);
    }
    Preparation p = preparation(d, true);
    List<AgentStep> main = new ArrayList<>(p.steps());
    main.addAll(steps.activate(d.newRelease(), d.plan().deferred()));
    listener.phase(DeployListener.Phase.APPLY, main.size());
    return switched(
        d,
        apply(
            new ApplyRequest(
                main,
                ReleaseSteps.SWITCH,
                rescue(d),
                p.cleanup(),
                d.stack().layout().root(),
                p.payload()),
            listener),
        start);
  }

  /**
   * Phase one of a rolling deploy: converges the stack and prepares the new release beside the live
   * one (unpacked, virtualenv built, import checked, before_activate hooks run), switching nothing.
   * One probe and at most one apply.
   */
  public Prepared prepare(DeployListener listener) throws DeployException, InterruptedException {
    long start = System.nanoTime();
    listener.phase(DeployListener.Phase.PROBE, 0);
    Decision d = decide();
    Preparation p = preparation(d, false);
    List<AgentStep> main = p.steps();
    if (main.isEmpty()) {
      return new Prepared(d, Optional.empty(), elapsed(start));
    }
    listener.phase(DeployListener.Phase.APPLY, main.size());
    ApplyResult result =
        apply(
            new ApplyRequest(
                main, "", List.of(), p.cleanup(), d.stack().layout().root(), p.payload()),
            listener);
    return new Prepared(
        d, result.ok() ? Optional.empty() : Optional.of(result.error()), elapsed(start));
  }

  /**
   * Phase two: switches a prepared node to its new release (or applies its pending service
   * changes), reloads gracefully and health-checks it directly; a sick node is switched back.
   */
  public DeployReport activate(Prepared prepared, DeployListener listener)
      throws DeployException, InterruptedException {
    long start = System.nanoTime();
    Decision d = prepared.decision();
    ReleaseSteps steps = new ReleaseSteps(d.stack());
    List<AgentStep> main = steps.activate(d.newRelease(), d.plan().deferred());
    listener.phase(DeployListener.Phase.APPLY, main.size());
    return switched(
        d,
        apply(
            new ApplyRequest(
                main,
                ReleaseSteps.SWITCH,
                rescue(d),
                List.of(),
                d.stack().layout().root(),
                new byte[0]),
            listener),
        start);
  }

  /**
   * Runs the release's run_once hooks on this node, in the prepared release, before any node
   * switches; empty when they all passed, else the error.
   */
  public Optional<String> runOnce(Prepared prepared, DeployListener listener)
      throws DeployException, InterruptedException {
    Decision d = prepared.decision();
    if (d.newRelease().isEmpty() || d.stack().spec().release().runOnce().isEmpty()) {
      return Optional.empty();
    }
    List<AgentStep> steps = new ReleaseSteps(d.stack()).runOnce(d.newRelease().get());
    listener.phase(DeployListener.Phase.APPLY, steps.size());
    ApplyResult result =
        apply(
            new ApplyRequest(steps, "", List.of(), List.of(), d.stack().layout().root(), null),
            listener);
    return result.ok() ? Optional.empty() : Optional.of(result.error());
  }

  /** Puts a node that activated {@code prepared} back on the release it served before. */
  public DeployReport revert(Prepared prepared, DeployListener listener)
      throws DeployException, InterruptedException {
    Decision d = prepared.decision();
    if (d.newRelease().isEmpty()) {
      // Only services were reloaded: the release it serves is the one it served.
      return new DeployReport(
          engine.agent().node().name(),
          false,
          List.of(),
          d.releases().current(),
          Optional.empty(),
          "nothing switched",
          true,
          Optional.empty(),
          false,
          d.releases().current(),
          "unchanged",
          Duration.ZERO,
          engine.agent().roundTrips(),
          List.of());
    }
    if (d.releases().current().isEmpty()) {
      throw new DeployException(
          "no earlier release to go back to on " + engine.agent().node().name(), null);
    }
    return new Rollback(engine).rollback(d.stack(), d.releases().current(), listener);
  }

  /**
   * Phase one's agent steps (stack changes, then the new release prepared), what undoes them, the
   * archive.
   */
  private record Preparation(List<AgentStep> steps, List<AgentStep> cleanup, byte[] payload) {}

  /**
   * The stack's changes, then the new release prepared beside the live one unless it already is;
   * {@code runOnceHere}: a node deploying on its own runs the run_once hooks too.
   */
  private Preparation preparation(Decision d, boolean runOnceHere) throws DeployException {
    List<AgentStep> steps = new ArrayList<>(d.plan().steps());
    if (d.newRelease().isEmpty() || d.alreadyPrepared()) {
      return new Preparation(steps, List.of(), new byte[0]);
    }
    String id = d.newRelease().get();
    ReleaseSteps release = new ReleaseSteps(d.stack());
    steps.addAll(release.prepare(id, d.hash(), renderConfigTemplates(d.stack().spec(), id)));
    if (runOnceHere) {
      steps.addAll(release.runOnce(id));
    }
    return new Preparation(steps, release.discard(id), archive());
  }

  /** After a failed switch: back to the release live before, health-checked. */
  private static List<AgentStep> rescue(Decision d) {
    return d.newRelease()
        .map(id -> new ReleaseSteps(d.stack()).rescue(id, d.releases().current()))
        .orElse(List.of());
  }

  private byte[] archive() throws DeployException {
    try {
      return deployment.bundle().archive();
    } catch (IOException e) {
      throw new DeployException("cannot read the project: " + e.getMessage(), e);
    }
  }

  /**
   * One apply, made under the node lock and refused if another run changed the node since this
   * deployer's probe (or its own last apply).
   */
  private ApplyResult apply(ApplyRequest request, DeployListener listener)
      throws DeployException, InterruptedException {
    try {
      ApplyResult result =
          engine.apply(
              request.claimedBy(NodeClaim.of("hoist deploy", generation)),
              event -> {
                // The step that makes the data node's backup key prints its public half.
                if (event.isLog() && event.id().equals(BackupKey.stepId())) {
                  BackupKey.parse(event.line()).ifPresent(deployment::heardBackupKey);
                }
                listener.step(event);
              });
      if (generation.isPresent() && result.generation() >= 0) {
        generation = OptionalLong.of(result.generation());
      }
      return result;
    } catch (AgentException e) {
      throw new DeployException(e.getMessage(), e);
    }
  }

  /** The report after an apply that may have switched releases. */
  private DeployReport switched(Decision d, ApplyResult result, long start) {
    boolean switched = d.newRelease().isPresent() && result.done().contains(ReleaseSteps.SWITCH);
    boolean rolledBack = switched && !result.ok() && result.rescued().orElse(false);
    Optional<String> live;
    if (result.ok()) {
      live = d.newRelease().or(() -> d.releases().current());
    } else {
      live = switched && !rolledBack ? d.newRelease() : d.releases().current();
    }
    String health = result.ok() ? "healthy" : "failed";
    return new DeployReport(
        engine.agent().node().name(),
        true,
        d.plan().changes(),
        d.releases().current(),
        d.newRelease(),
        d.releaseReason(),
        result.ok(),
        result.ok() ? Optional.empty() : Optional.of(result.error()),
        rolledBack,
        live,
        health,
        elapsed(start),
        engine.agent().roundTrips(),
        d.warnings());
  }

  private Decision decide() throws DeployException, InterruptedException {
    try {
      CronPlacement cron = deployment.cronPlacement(engine.agent().node().name());
      Stack stack = deployment.stack(Supervisor.RUNIT, false, cron);
      Trace.mark(engine.agent().node().name() + " stack built");
      // One round trip reads both stacks' resources; the node's PID 1 (or supervisor:) says which
      // one applies.
      Engine.Probe probe = probe(stack, deployment.stack(Supervisor.SYSTEMD, false, cron));
      Trace.mark(engine.agent().node().name() + " probed");
      Supervisor actual =
          NodeSupervisor.pick(
              deployment.spec().supervisor(),
              probe.facts().path("init").asText("unknown"),
              engine.agent().node().name());
      tlsState = probe.states().getOrDefault(TlsProbe.ID, MissingNode.getInstance());
      BackupKey.fromProbe(
              probe.states().getOrDefault(BackupKey.PROBE_ID, MissingNode.getInstance()))
          .ifPresent(deployment::heardBackupKey);
      BackupConfig.configured(
              probe.states().getOrDefault(BackupConfig.PROBE_ID, MissingNode.getInstance()))
          .ifPresent(deployment::heardBackupTarget);
      boolean certOnNode = TlsProbe.certOnNode(tlsState);
      // The same resources either way: only what nginx serves differs.
      stack = deployment.stack(actual, certOnNode, cron);
      if (probe.facts().path("euid").asInt(0) != 0) {
        throw new DeployException(
            "hoist must run as root on "
                + engine.agent().node().name()
                + " (it installs packages and writes /etc); run it with sudo",
            null);
      }
      checkPort80(probe.states());
      Plan plan = Planner.plan(stack.catalog(), probe.states(), stack.releaseRefreshed());
      ReleaseState releases =
          ReleaseState.from(probe.states().getOrDefault("release", MissingNode.getInstance()));
      String hash = releaseHash(stack);
      Optional<ReleaseState.Release> live = releases.live();
      String reason;
      if (live.isEmpty()) {
        reason = "no release is live yet";
      } else if (live.get().failed()) {
        reason = "the live release " + live.get().id() + " is marked failed";
      } else if (!live.get().hash().equals(hash)) {
        reason = "the project differs from live release " + live.get().id();
      } else {
        reason = "";
      }
      Optional<ReleaseState.Release> ready =
          reason.isEmpty() ? Optional.empty() : releases.prepared(Optional.of(hash));
      // A release of this code prepared earlier (a stopped rollout, a canary) is switched to, not
      // rebuilt.
      Optional<String> newRelease = Optional.empty();
      if (!reason.isEmpty()) {
        newRelease =
            Optional.of(ready.isPresent() ? ready.get().id() : deployment.bundle().releaseId());
      }
      String health =
          probe
              .health()
              .map(
                  h ->
                      (h.path("ok").asBoolean() ? "healthy: " : "unhealthy: ")
                          + h.path("detail").asText())
              .orElse("unknown");
      List<String> warnings =
          SecretsProbe.shadowed(
              deployment.spec().env(),
              probe.states().getOrDefault(SecretsProbe.ID, MissingNode.getInstance()));
      return new Decision(
          stack, plan, releases, hash, newRelease, reason, ready.isPresent(), health, warnings);
    } catch (PlanException e) {
      throw new DeployException(engine.agent().node().name() + ": " + e.getMessage(), e);
    } catch (AgentException e) {
      throw new DeployException(e.getMessage(), e);
    } catch (IOException e) {
      throw new DeployException("cannot read the project: " + e.getMessage(), e);
    }
  }

  /**
   * Probes {@code stack}'s resources and those of {@code other} it lacks (a service both have is
   * probed once: the agent reads it from the node's actual supervisor), the release, port 80, the
   * secrets' names, health and the node lock.
   */
  private Engine.Probe probe(Stack stack, Stack other)
      throws AgentException, DeployException, InterruptedException {
    Map<String, ProbeRequest> byId = new LinkedHashMap<>();
    for (Stack s : List.of(stack, other)) {
      s.catalog().ordered().forEach(e -> byId.putIfAbsent(e.resource().id(), e.resource().probe()));
    }
    List<ProbeRequest> probes = new ArrayList<>(byId.values());
    probes.add(new ProbeRequest("release", new ProbeKind.Release(stack.layout().root())));
    probes.add(new ProbeRequest("port:80", new ProbeKind.Port(80)));
    probes.add(SecretsProbe.of(stack.layout()));
    probes.add(TlsProbe.of(stack.layout()));
    // The key also when backup.json may name a target to leave: only lines holding it go there.
    Optional<ProbeRequest> config = BackupConfig.probeIn(stack.catalog(), deployment.spec().app());
    if (stack.catalog().contains(BackupKey.stepId()) || config.isPresent()) {
      probes.add(BackupKey.probe());
    }
    config.ifPresent(probes::add);
    Engine.Probe probe =
        engine.probe(
            probes, Optional.of(new ReleaseSteps(stack).health().once()), stack.layout().root());
    Engine.NodeLock lock = probe.nodeLock();
    if (lock.busy()) {
      throw new DeployException(
          engine.agent().node().name() + ": another hoist run holds this node: " + lock.holder(),
          null);
    }
    generation = OptionalLong.of(lock.generation());
    return probe;
  }

  /** Port 80 must be free or held by the nginx this stack manages. */
  private static void checkPort80(Map<String, JsonNode> states) {
    JsonNode nginx = states.getOrDefault("service:nginx", MissingNode.getInstance());
    boolean ours = "run".equals(nginx.path("state").asText());
    List<String> others = new ArrayList<>();
    for (JsonNode l : states.getOrDefault("port:80", MissingNode.getInstance()).path("listeners")) {
      if (!(ours && "nginx".equals(l.path("comm").asText()))) {
        others.add(l.path("comm").asText() + " (pid " + l.path("pid").asInt() + ")");
      }
    }
    if (!others.isEmpty()) {
      throw new PlanException(
          "port 80 is taken by "
              + String.join(", ", others)
              + ", which hoist does not manage; stop it (or let hoist's nginx own port 80), then deploy again");
    }
  }

  /**
   * What a release is: the project's content and the config that ships with it (a new gunicorn
   * config or env is a new release, so a rollback brings the old config back with the old code).
   */
  private String releaseHash(Stack stack) throws IOException {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      sha.update(deployment.bundle().hash().getBytes(StandardCharsets.UTF_8));
      for (Map.Entry<String, Stack.ReleaseFile> f : stack.releaseConfig().entrySet()) {
        sha.update(
            (f.getKey() + "\0" + f.getValue().mode() + "\0").getBytes(StandardCharsets.UTF_8));
        sha.update(f.getValue().content());
      }
      return java.util.HexFormat.of().formatHex(sha.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The spec's config templates, rendered for release {@code id}: root-owned, readable by the app's
   * group only (they may hold env values).
   */
  private Map<String, Stack.ReleaseFile> renderConfigTemplates(Spec spec, String id)
      throws DeployException {
    Map<String, Stack.ReleaseFile> out = new LinkedHashMap<>();
    Map<String, Object> ctx = new LinkedHashMap<>();
    ctx.put("app", spec.app());
    ctx.put("domain", spec.domain());
    ctx.put("release", id);
    ctx.put("env", spec.env());
    dev.hoist.stack.AppLayout layout = new dev.hoist.stack.AppLayout(spec.app());
    ctx.put("shared_dir", layout.shared());
    ctx.put("current_dir", layout.current());
    for (Map.Entry<String, String> t : spec.templates().entrySet()) {
      try {
        String text = Files.readString(spec.projectDir().resolve(t.getValue()));
        byte[] rendered =
            deployment
                .templates()
                .renderText(t.getValue(), text, ctx)
                .getBytes(StandardCharsets.UTF_8);
        out.put(t.getKey(), new Stack.ReleaseFile(rendered, spec.app(), "0640"));
      } catch (IOException e) {
        throw new DeployException(
            "cannot read template " + t.getValue() + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private DeployReport report(
      Decision d,
      boolean applied,
      boolean ok,
      Optional<String> error,
      boolean rolledBack,
      Optional<String> live,
      long start) {
    return new DeployReport(
        engine.agent().node().name(),
        applied,
        d.plan().changes(),
        d.releases().current(),
        d.newRelease(),
        d.releaseReason(),
        ok,
        error,
        rolledBack,
        live,
        d.health(),
        elapsed(start),
        engine.agent().roundTrips(),
        d.warnings());
  }

  private static Duration elapsed(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
