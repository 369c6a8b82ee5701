package dev.hoist.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.Change;
import dev.hoist.engine.Engine;
import dev.hoist.engine.Engine.ApplyRequest;
import dev.hoist.engine.Engine.ApplyResult;
import dev.hoist.engine.Plan;
import dev.hoist.engine.PlanException;
import dev.hoist.engine.Planner;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.fleet.FleetNode;
import dev.hoist.node.Agent;
import dev.hoist.node.AgentException;
import dev.hoist.node.Node;
import dev.hoist.project.ShellWords;
import dev.hoist.project.Spec;
import dev.hoist.release.DeployException;
import dev.hoist.release.DeployListener;
import dev.hoist.release.NodeSupervisor;
import dev.hoist.stack.AppLayout;
import dev.hoist.stack.BackupConfig;
import dev.hoist.stack.BackupKey;
import dev.hoist.stack.DataAccess;
import dev.hoist.stack.DataNodeStack;
import dev.hoist.stack.ServicesEnv;
import dev.hoist.stack.Templates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The first phase of a deploy whose data lives on a {@code db} node of its own: that node is
 * converged with its services-only stack ({@link DataNodeStack}: PostgreSQL listening for the app
 * nodes, their Redis, the runners, the backup schedule), and the app's env file it made is read
 * back ({@link ServicesEnv}, never shown) for the app nodes. One probe when nothing changes; a
 * changing deploy adds its apply and one more read of the env file. Once {@code services:} left
 * hoist.yml, the phase retires what the node still serves the app ({@link DataNodeStack#retire})
 * and carries no env.
 */
public final class DataPhase {
  private static final String ENV_PROBE = "services-env";

  /** The variables the services runner writes into a db node's env file for the app nodes. */
  private static final List<String> CARRIED_ENV =
      List.of("DATABASE_URL", "REDIS_URL", "UPLOADS_DIR", "UPLOADS_URL");

  /**
   * What the phase did (or would do) on the data node; {@code env} is for the app nodes' stack only
   * (null in a plan of a db node that has none yet, and when retiring).
   */
  public record Report(
      String node,
      List<Change> changes,
      int roundTrips,
      double seconds,
      ServicesEnv env,
      Optional<String> backupKey,
      Optional<BackupConfig.Configured> backupTarget) {
    public Report {
      changes = List.copyOf(changes);
    }
  }

  private final Spec spec;
  private final Templates templates;
  private final FleetNode dataNode;
  private final Optional<DataAccess> access;

  /**
   * {@code appNodes}: the environment's web and worker nodes, the only ones let in (by address).
   */
  public DataPhase(Spec spec, Templates templates, FleetNode dataNode, List<FleetNode> appNodes)
      throws RolloutException {
    this(spec, templates, dataNode, Optional.of(access(dataNode, appNodes)));
  }

  private DataPhase(
      Spec spec, Templates templates, FleetNode dataNode, Optional<DataAccess> access) {
    this.spec = spec;
    this.templates = templates;
    this.dataNode = dataNode;
    this.access = access;
  }

  /** The phase that retires what {@code dataNode} still serves an app without services:. */
  public static DataPhase retiring(Spec spec, Templates templates, FleetNode dataNode) {
    if (spec.services().any()) {
      throw new IllegalArgumentException("the app still has services:");
    }
    return new DataPhase(spec, templates, dataNode, Optional.empty());
  }

  /** Where the db node listens and whom it lets in. */
  static DataAccess access(FleetNode dataNode, List<FleetNode> appNodes) throws RolloutException {
    // The first address: the one hoist itself connects to when the name has several.
    String listen = NodeAddresses.of(dataNode, "db node").getFirst();
    Set<String> clients = new LinkedHashSet<>();
    for (FleetNode node : appNodes) {
      if (node.name().equals(dataNode.name())) {
        continue;
      }
      clients.addAll(NodeAddresses.of(node, "app node"));
    }
    if (clients.isEmpty()) {
      throw new RolloutException(
          RolloutException.Kind.USAGE,
          "the db node " + dataNode.name() + " has no app node to serve; add web: nodes");
    }
    return DataAccess.remote(listen, List.copyOf(clients));
  }

  /** Where the db node listens and whom it lets in; none when retiring. */
  public Optional<DataAccess> access() {
    return access;
  }

  /** Converges the data node over {@code connection}; {@code listener} hears its apply. */
  public Report run(Node connection, DeployListener listener)
      throws RolloutException, InterruptedException {
    return run(connection, listener, true);
  }

  /**
   * What {@link #run} would change, touching nothing ({@code hoist plan}, {@code deploy
   * --dry-run}); the env is empty when the db node has none yet (its first deploy).
   */
  public Report plan(Node connection) throws RolloutException, InterruptedException {
    return run(connection, DeployListener.none(), false);
  }

  private Report run(Node connection, DeployListener listener, boolean apply)
      throws RolloutException, InterruptedException {
    long start = System.nanoTime();
    Engine engine = new Engine(new Agent(connection));
    String name = dataNode.name();
    try {
      Map<Supervisor, Catalog> catalogs = new LinkedHashMap<>();
      for (Supervisor s : Supervisor.values()) {
        DataNodeStack stack = new DataNodeStack(templates, s);
        catalogs.put(s, access.isPresent() ? stack.build(spec, access.get()) : stack.retire(spec));
      }
      Map<String, ProbeRequest> byId = new LinkedHashMap<>();
      for (Catalog c : catalogs.values()) {
        c.ordered().forEach(e -> byId.putIfAbsent(e.resource().id(), e.resource().probe()));
      }
      List<ProbeRequest> probes = new ArrayList<>(byId.values());
      if (access.isPresent()) {
        probes.add(envProbe());
      }
      Catalog first = catalogs.values().iterator().next();
      // The key also when backup.json may name a target to leave: only lines holding it go there.
      Optional<ProbeRequest> config = BackupConfig.probeIn(first, spec.app());
      if (first.contains(BackupKey.stepId()) || config.isPresent()) {
        probes.add(BackupKey.probe());
      }
      config.ifPresent(probes::add);
      String lock = new AppLayout(spec.app()).root();
      listener.phase(DeployListener.Phase.PROBE, 0);
      Engine.Probe probe = engine.probe(probes, Optional.empty(), lock);
      if (probe.nodeLock().busy()) {
        throw failed(name + ": another hoist run holds this node: " + probe.nodeLock().holder());
      }
      if (probe.facts().path("euid").asInt(0) != 0) {
        throw failed(
            "hoist must run as root on "
                + name
                + " (it installs PostgreSQL and Redis and writes /etc); give its user"
                + " passwordless sudo");
      }
      Supervisor supervisor =
          NodeSupervisor.pick(
              spec.supervisor(), probe.facts().path("init").asText("unknown"), name);
      Plan plan = Planner.plan(catalogs.get(supervisor), probe.states(), Set.of());
      JsonNode env = probe.states().getOrDefault(ENV_PROBE, MissingNode.getInstance());
      // The db node's key for backup.to: in the probe, or printed by the step that makes it.
      AtomicReference<Optional<String>> key =
          new AtomicReference<>(
              BackupKey.fromProbe(
                  probe.states().getOrDefault(BackupKey.PROBE_ID, MissingNode.getInstance())));
      // The copy target backup.json names before this deploy rewrites it.
      Optional<BackupConfig.Configured> target =
          BackupConfig.configured(
              probe.states().getOrDefault(BackupConfig.PROBE_ID, MissingNode.getInstance()));
      if (!apply || access.isEmpty()) {
        if (apply && !plan.isEmpty()) {
          applyPlan(engine, plan, lock, listener, key);
        }
        return new Report(
            name,
            plan.changes(),
            engine.agent().roundTrips(),
            (System.nanoTime() - start) / 1e9,
            env.path("values").isEmpty() ? null : servicesEnv(spec.app(), name, env.path("values")),
            key.get(),
            target);
      }
      if (!plan.isEmpty()) {
        applyPlan(engine, plan, lock, listener, key);
        // The runner wrote (or rewrote) the env file in that apply: read what it holds now.
        env =
            engine
                .probe(List.of(envProbe()), Optional.empty())
                .states()
                .getOrDefault(ENV_PROBE, MissingNode.getInstance());
      }
      ServicesEnv services = servicesEnv(spec.app(), name, env.path("values"));
      return new Report(
          name,
          plan.changes(),
          engine.agent().roundTrips(),
          (System.nanoTime() - start) / 1e9,
          services,
          key.get(),
          target);
    } catch (PlanException e) {
      throw failed(name + ": " + e.getMessage());
    } catch (DeployException e) {
      throw failed(e.getMessage());
    } catch (AgentException e) {
      throw new RolloutException(RolloutException.Kind.UNREACHABLE, e.getMessage());
    }
  }

  /** Applies {@code plan}; the db node's key, when a step prints it, goes into {@code key}. */
  private void applyPlan(
      Engine engine,
      Plan plan,
      String lock,
      DeployListener listener,
      AtomicReference<Optional<String>> key)
      throws RolloutException, AgentException, InterruptedException {
    listener.phase(DeployListener.Phase.APPLY, plan.steps().size());
    ApplyResult result =
        engine.apply(
            new ApplyRequest(plan.steps(), "", List.of(), List.of(), lock, null),
            event -> {
              if (event.isLog() && event.id().equals(BackupKey.stepId())) {
                BackupKey.parse(event.line()).ifPresent(k -> key.set(Optional.of(k)));
              }
              listener.step(event);
            });
    if (!result.ok()) {
      String what = access.isPresent() ? "setting up" : "retiring";
      throw failed(dataNode.name() + ": " + what + " the app's services failed: " + result.error());
    }
  }

  private ProbeRequest envProbe() {
    return new ProbeRequest(
        ENV_PROBE, new ProbeKind.SecretsValues(DataNodeStack.envFile(spec.app())));
  }

  /**
   * The app nodes' env file from the db node's values, in the format gunicorn's config and with-env
   * read (shell words); the values never leave this object.
   */
  static ServicesEnv servicesEnv(String app, String node, JsonNode values) throws RolloutException {
    List<String> names = new ArrayList<>();
    values.fieldNames().forEachRemaining(names::add);
    if (names.isEmpty()) {
      throw failed(
          node
              + ": the services runner left no env file for the app ("
              + DataNodeStack.envFile(app)
              + "); deploy again, and look at the runner's output above");
    }
    StringBuilder text =
        new StringBuilder(
            "# Managed by hoist: app '"
                + app
                + "''s backing services on db node "
                + node
                + " (root:"
                + app
                + " 0640). Never print it.\n");
    for (String key : names) {
      // Only what the services runner writes: anything else (LD_PRELOAD, PYTHONWARNINGS, ...)
      // from a db node would run code as the app on every app node, which holds more secrets.
      if (!CARRIED_ENV.contains(key)) {
        throw failed(
            node
                + ": the app's env file names "
                + (key.matches("[A-Z][A-Z0-9_]*") ? key : "a bad variable")
                + ", which hoist never writes there; only "
                + String.join(", ", CARRIED_ENV)
                + " are carried to the app nodes. Look at the db node's "
                + DataNodeStack.envFile(app)
                + " and deploy again");
      }
      text.append(key).append('=').append(ShellWords.quote(values.path(key).asText())).append('\n');
    }
    return ServicesEnv.of(text.toString(), names);
  }

  private static RolloutException failed(String message) {
    return new RolloutException(RolloutException.Kind.FAILED, message);
  }
}
