package dev.hoist.release;

import dev.hoist.engine.AgentOp;
import dev.hoist.engine.AgentOp.ReleaseUnpack;
import dev.hoist.engine.AgentStep;
import dev.hoist.engine.Change;
import dev.hoist.engine.ServiceResource;
import dev.hoist.health.HealthCheck;
import dev.hoist.node.Agent;
import dev.hoist.project.Spec;
import dev.hoist.stack.AppLayout;
import dev.hoist.stack.Stack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent steps of a release, pure: prepare a new release beside the live one, switch to it,
 * reload gracefully, health-check; and the rescue that switches back when that fails.
 */
public final class ReleaseSteps {
  /** The step after which a failure means "switch back" rather than "discard the new release". */
  public static final String SWITCH = "switch";

  private final Stack stack;
  private final AppLayout layout;
  private final HealthCheck health;

  public ReleaseSteps(Stack stack) {
    this.stack = stack;
    this.layout = stack.layout();
    this.health =
        new HealthCheck(
            stack.spec().health(),
            stack.spec().domain().equals("_") ? "localhost" : stack.spec().domain(),
            List.of(layout.appLog(), layout.nginxErrorLog()));
  }

  public HealthCheck health() {
    return health;
  }

  /** Unpacks, links shared dirs, builds the venv, checks the app imports, runs the hooks. */
  public List<AgentStep> prepare(
      String id, String hash, Map<String, Stack.ReleaseFile> renderedFiles) {
    Spec spec = stack.spec();
    String dir = layout.release(id);
    List<AgentStep> steps = new ArrayList<>();
    Map<String, ReleaseUnpack.File> files = new LinkedHashMap<>();
    Map<String, Stack.ReleaseFile> all = new LinkedHashMap<>(stack.releaseConfig());
    all.putAll(renderedFiles);
    all.forEach(
        (path, f) -> files.put(path, new ReleaseUnpack.File(f.content(), f.group(), f.mode())));
    // hoist.yml says which commands run as root everywhere: not for other users' eyes.
    Map<String, String> privateFiles = Map.of("hoist.yml", spec.app());
    ReleaseUnpack.Meta meta =
        new ReleaseUnpack.Meta(id, hash, java.time.Instant.now().toString(), spec.app());
    steps.add(AgentStep.of("unpack", new ReleaseUnpack(dir, files, privateFiles, meta)));
    if (!spec.shared().isEmpty()) {
      steps.add(
          AgentStep.of(
              "shared",
              new AgentOp.ReleaseShared(dir, layout.shared(), spec.app(), spec.shared())));
    }
    // Root builds the venv isolated (-I) from / in the root-owned release; the app never writes it.
    List<String> venv =
        new ArrayList<>(List.of(Agent.PYTHON, "-I", "-m", "venv", "--system-site-packages"));
    if (spec.requirements().isEmpty()) {
      venv.add("--without-pip"); // ensurepip costs ~2.7 s and nothing needs pip here
    }
    venv.add(dir + "/.venv");
    steps.add(rootExec("venv", venv, Optional.empty()));
    // The app cannot write its release, so Python could not cache bytecode there: root compiles
    // it once (compiling runs none of the code), and every worker starts from the cache. A file
    // that does not compile is the import check's business, not a reason to stop here.
    steps.add(
        rootExec(
            "compile",
            List.of(
                "/bin/sh",
                "-c",
                "\"$@\" || true",
                "compile",
                Agent.PYTHON,
                "-I",
                "-m",
                "compileall",
                "-q",
                "-x",
                "/\\.venv/",
                dir),
            Optional.empty()));
    spec.requirements()
        .ifPresent(
            req -> {
              List<String> pip =
                  new ArrayList<>(
                      List.of(
                          dir + "/.venv/bin/python",
                          "-I",
                          "-m",
                          "pip",
                          "install",
                          "--no-input",
                          "--no-cache-dir",
                          "--disable-pip-version-check"));
              spec.wheelhouse()
                  .ifPresent(w -> pip.addAll(List.of("--no-index", "--find-links", dir + "/" + w)));
              pip.addAll(List.of("-r", dir + "/" + req));
              // As root, like the venv: the project (and its wheelhouse) is trusted, the app is
              // not.
              steps.add(rootExec("requirements", pip, Optional.of(hookTimeout())));
            });
    steps.add(
        appExec(
            "import",
            List.of(dir + "/.venv/bin/python", "-c", IMPORT_CHECK, spec.wsgi().gunicornForm()),
            dir));
    List<String> outputs = List.copyOf(new java.util.LinkedHashSet<>(spec.statics().values()));
    boolean open = !spec.release().beforeActivate().isEmpty() && !outputs.isEmpty();
    if (open) {
      // The static dirs are the one place hooks may write (collectstatic); sealed after them.
      steps.add(AgentStep.of("open-static", new AgentOp.ReleaseOpen(dir, spec.app(), outputs)));
    }
    int n = 1;
    for (List<String> hook : spec.release().beforeActivate()) {
      steps.add(appExec("hook-" + n++, hook, dir));
    }
    if (open) {
      steps.add(AgentStep.of("seal-static", new AgentOp.ReleaseSeal(dir, outputs)));
    }
    return steps;
  }

  /**
   * The release's run_once hooks (migrations), in the prepared release {@code id}, as the app user.
   */
  public List<AgentStep> runOnce(String id) {
    List<AgentStep> steps = new ArrayList<>();
    int n = 1;
    for (List<String> hook : stack.spec().release().runOnce()) {
      steps.add(appExec("run-once-" + n++, hook, layout.release(id)));
    }
    return steps;
  }

  /** Loads the app the way gunicorn will, so a release that cannot import never goes live. */
  private static final String IMPORT_CHECK =
      "import sys\nsys.path.insert(0, '.')\nfrom gunicorn.util import import_app\nimport_app(sys.argv[1])\n";

  /**
   * Switches {@code current} to {@code id} and brings the app server and processes onto it, then
   * checks health. {@code appChange} is what the plan said about the app service (start or reload).
   */
  public List<AgentStep> activate(Optional<String> id, Map<String, Change> deferred) {
    List<AgentStep> steps = new ArrayList<>();
    id.ifPresent(r -> steps.add(switchTo(r, SWITCH)));
    // Steps after the switch run to the end even on Ctrl-C (finishing), so the node stays
    // consistent.
    Change app = deferred.get(stack.appService().id());
    if ((app != null && app.kind() != Change.Kind.REFRESH)
        || (app != null && app.summary().startsWith("restart"))) {
      steps.add(last(app).finishing());
    } else if (id.isPresent() || app != null) {
      String why = id.isPresent() ? "new release" : "config changed";
      steps.add(stack.appService().refreshChange(why).steps().get(0).finishing());
    }
    for (ServiceResource p : stack.processServices()) {
      Change change = deferred.get(p.id());
      if (change != null && change.kind() == Change.Kind.CREATE) {
        steps.add(last(change).finishing());
      } else if (id.isPresent() || change != null) {
        steps.add(p.refreshChange("new release").steps().get(0).finishing());
      }
    }
    steps.add(health.step("health").finishing());
    id.ifPresent(r -> steps.add(prune().finishing()));
    return steps;
  }

  /**
   * After a failed activation: back to {@code previous}, then report whether that one is healthy.
   */
  public List<AgentStep> rescue(String failed, Optional<String> previous) {
    List<AgentStep> steps = new ArrayList<>();
    // This deploy made it live itself: marked although current still points at it.
    steps.add(markFailed(failed, true));
    previous.ifPresent(
        prev -> {
          steps.add(switchTo(prev, "switch-back"));
          steps.add(
              stack.appService().refreshChange("rollback").steps().get(0).withId("reload-back"));
          for (ServiceResource p : stack.processServices()) {
            steps.add(p.refreshChange("rollback").steps().get(0));
          }
          steps.add(health.step("health-back"));
        });
    return steps;
  }

  /** When preparation fails: mark the half-made release failed (the next prune removes it). */
  public List<AgentStep> discard(String id) {
    return List.of(markFailed(id, false));
  }

  /** {@code switched}: this deploy made the release live, so it is marked though current is it. */
  private AgentStep markFailed(String id, boolean switched) {
    return AgentStep.of("mark-failed", new AgentOp.ReleaseMarkFailed(layout.root(), id, switched));
  }

  private static AgentStep last(Change change) {
    return change.steps().get(change.steps().size() - 1);
  }

  private AgentStep switchTo(String id, String stepId) {
    return AgentStep.of(stepId, new AgentOp.ReleaseSwitch(layout.root(), id));
  }

  private AgentStep prune() {
    return AgentStep.of(
        "prune", new AgentOp.ReleasePrune(layout.root(), stack.spec().release().keep()));
  }

  /** A command root runs from {@code /} with a fixed, minimal environment. */
  private static AgentStep rootExec(String id, List<String> argv, Optional<Duration> timeout) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", SAFE_PATH);
    env.put("LANG", "C.UTF-8");
    env.put("HOME", "/root");
    return AgentStep.of(
        id, new AgentOp.Exec(argv, Optional.empty(), Optional.of("/"), env, timeout));
  }

  private static final String SAFE_PATH = "/usr/local/bin:/usr/bin:/bin";

  /**
   * A command in release {@code dir}'s environment (its env file and the node's secrets, loaded by
   * with-env after privileges dropped), as the app user, killed after release.hook_timeout.
   */
  private AgentStep appExec(String id, List<String> argv, String dir) {
    List<String> full = new ArrayList<>();
    full.add(layout.withEnv());
    full.addAll(argv);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOIST_RELEASE_DIR", dir);
    env.put("PATH", SAFE_PATH);
    env.put("LANG", "C.UTF-8");
    env.put("HOME", layout.root());
    return AgentStep.of(
        id,
        new AgentOp.Exec(
            full,
            Optional.of(stack.spec().app()),
            Optional.of(dir),
            env,
            Optional.of(hookTimeout())));
  }

  private Duration hookTimeout() {
    return stack.spec().release().hookTimeout();
  }
}
