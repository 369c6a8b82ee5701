package dev.hoist.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.Change;
import dev.hoist.engine.ServiceResource;
import dev.hoist.engine.Steps;
import dev.hoist.health.HealthCheck;
import dev.hoist.node.Agent;
import dev.hoist.project.Spec;
import dev.hoist.stack.AppLayout;
import dev.hoist.stack.Stack;
import java.util.ArrayList;
import java.util.Base64;
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
  public List<ObjectNode> prepare(
      String id, String hash, Map<String, Stack.ReleaseFile> renderedFiles) {
    Spec spec = stack.spec();
    String dir = layout.release(id);
    List<ObjectNode> steps = new ArrayList<>();
    ObjectNode unpack = Steps.step("unpack", "release.unpack").put("path", dir);
    ObjectNode files = unpack.putObject("files");
    Map<String, Stack.ReleaseFile> all = new LinkedHashMap<>(stack.releaseConfig());
    all.putAll(renderedFiles);
    all.forEach(
        (path, f) ->
            files
                .putObject(path)
                .put("content", Base64.getEncoder().encodeToString(f.content()))
                .put("group", f.group())
                .put("mode", f.mode()));
    // hoist.yml says which commands run as root everywhere: not for other users' eyes.
    unpack.putObject("private").put("hoist.yml", spec.app());
    unpack
        .putObject("meta")
        .put("id", id)
        .put("hash", hash)
        .put("created", java.time.Instant.now().toString())
        .put("app", spec.app());
    steps.add(unpack);
    if (!spec.shared().isEmpty()) {
      ObjectNode shared =
          Steps.step("shared", "release.shared")
              .put("path", dir)
              .put("shared", layout.shared())
              .put("user", spec.app());
      shared.set("dirs", Steps.array(spec.shared()));
      steps.add(shared);
    }
    // Root builds the venv isolated (-I) from / in the root-owned release; the app never writes it.
    List<String> venv =
        new ArrayList<>(List.of(Agent.PYTHON, "-I", "-m", "venv", "--system-site-packages"));
    if (spec.requirements().isEmpty()) {
      venv.add("--without-pip"); // ensurepip costs ~2.7 s and nothing needs pip here
    }
    venv.add(dir + "/.venv");
    steps.add(rootExec("venv", venv));
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
                "-j",
                "0",
                "-x",
                "/\\.venv/",
                dir)));
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
              steps.add(rootExec("requirements", pip).put("timeout", hookTimeoutSeconds()));
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
      ObjectNode step = Steps.step("open-static", "release.open").put("path", dir);
      step.put("user", spec.app()).set("dirs", Steps.array(outputs));
      steps.add(step);
    }
    int n = 1;
    for (List<String> hook : spec.release().beforeActivate()) {
      steps.add(appExec("hook-" + n++, hook, dir));
    }
    if (open) {
      ObjectNode step = Steps.step("seal-static", "release.seal").put("path", dir);
      step.set("dirs", Steps.array(outputs));
      steps.add(step);
    }
    return steps;
  }

  /**
   * The release's run_once hooks (migrations), in the prepared release {@code id}, as the app user.
   */
  public List<ObjectNode> runOnce(String id) {
    List<ObjectNode> steps = new ArrayList<>();
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
  public List<ObjectNode> activate(Optional<String> id, Map<String, Change> deferred) {
    List<ObjectNode> steps = new ArrayList<>();
    id.ifPresent(r -> steps.add(switchTo(r, SWITCH)));
    Change app = deferred.get(stack.appService().id());
    if ((app != null && app.kind() != Change.Kind.REFRESH)
        || (app != null && app.summary().startsWith("restart"))) {
      steps.add(finish(last(app)));
    } else if (id.isPresent() || app != null) {
      String why = id.isPresent() ? "new release" : "config changed";
      steps.add(finish(stack.appService().refreshChange(why).steps().get(0)));
    }
    for (ServiceResource p : stack.processServices()) {
      Change change = deferred.get(p.id());
      if (change != null && change.kind() == Change.Kind.CREATE) {
        steps.add(finish(last(change)));
      } else if (id.isPresent() || change != null) {
        steps.add(finish(p.refreshChange("new release").steps().get(0)));
      }
    }
    steps.add(finish(health.step("health")));
    id.ifPresent(r -> steps.add(finish(prune())));
    return steps;
  }

  /**
   * After a failed activation: back to {@code previous}, then report whether that one is healthy.
   */
  public List<ObjectNode> rescue(String failed, Optional<String> previous) {
    List<ObjectNode> steps = new ArrayList<>();
    // This deploy made it live itself: marked although current still points at it.
    steps.add(
        Steps.step("mark-failed", "release.mark_failed")
            .put("root", layout.root())
            .put("release", failed)
            .put("switched", true));
    previous.ifPresent(
        prev -> {
          steps.add(switchTo(prev, "switch-back"));
          steps.add(
              stack
                  .appService()
                  .refreshChange("rollback")
                  .steps()
                  .get(0)
                  .deepCopy()
                  .put("id", "reload-back"));
          for (ServiceResource p : stack.processServices()) {
            steps.add(p.refreshChange("rollback").steps().get(0));
          }
          steps.add(health.step("health-back"));
        });
    return steps;
  }

  /** When preparation fails: mark the half-made release failed (the next prune removes it). */
  public List<ObjectNode> discard(String id) {
    return List.of(
        Steps.step("mark-failed", "release.mark_failed")
            .put("root", layout.root())
            .put("release", id));
  }

  private static ObjectNode last(Change change) {
    return change.steps().get(change.steps().size() - 1);
  }

  private ObjectNode switchTo(String id, String stepId) {
    return Steps.step(stepId, "release.switch").put("root", layout.root()).put("release", id);
  }

  private ObjectNode prune() {
    return Steps.step("prune", "release.prune")
        .put("root", layout.root())
        .put("keep", stack.spec().release().keep());
  }

  /**
   * Steps after the switch always run to the end, even on Ctrl-C, so the node is left consistent.
   */
  private static ObjectNode finish(ObjectNode step) {
    return step.deepCopy().put("finish", true);
  }

  private static ObjectNode exec(String id, List<String> argv, String cwd) {
    ObjectNode step = Steps.step(id, "exec").put("cwd", cwd);
    step.set("argv", Steps.array(argv));
    return step;
  }

  /** A command root runs from {@code /} with a fixed, minimal environment. */
  private static ObjectNode rootExec(String id, List<String> argv) {
    ObjectNode step = exec(id, argv, "/");
    step.putObject("env").put("PATH", SAFE_PATH).put("LANG", "C.UTF-8").put("HOME", "/root");
    return step;
  }

  private static final String SAFE_PATH = "/usr/local/bin:/usr/bin:/bin";

  /**
   * A command in release {@code dir}'s environment (its env file and the node's secrets, loaded by
   * with-env after privileges dropped), as the app user, killed after release.hook_timeout.
   */
  private ObjectNode appExec(String id, List<String> argv, String dir) {
    List<String> full = new ArrayList<>();
    full.add(layout.withEnv());
    full.addAll(argv);
    ObjectNode step =
        exec(id, full, dir).put("user", stack.spec().app()).put("timeout", hookTimeoutSeconds());
    step.putObject("env")
        .put("HOIST_RELEASE_DIR", dir)
        .put("PATH", SAFE_PATH)
        .put("LANG", "C.UTF-8")
        .put("HOME", layout.root());
    return step;
  }

  private long hookTimeoutSeconds() {
    return stack.spec().release().hookTimeout().toSeconds();
  }
}
