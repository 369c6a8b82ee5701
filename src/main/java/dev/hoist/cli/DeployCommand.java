package dev.hoist.cli;

import dev.hoist.build.BuildTree;
import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.FleetResult;
import dev.hoist.node.Trace;
import dev.hoist.release.DeployListener;
import dev.hoist.release.DeployReport;
import dev.hoist.release.Deployment;
import dev.hoist.rollout.DataPhase;
import dev.hoist.rollout.DeployService;
import dev.hoist.rollout.RolloutException;
import dev.hoist.stack.BackupConfig;
import dev.hoist.tls.CertWarnings;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hoist deploy}: converge the stack, ship a release, switch gracefully, health-check. */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description = {
      "Deploys the project: installs what the node lacks (nginx, gunicorn, runit, python3-venv),",
      "writes the app's config, ships the code as a new release beside the live one, switches to it",
      "without dropping a request, and health-checks it through nginx. A sick release is switched",
      "back at once. Running it again when nothing changed does nothing and says '0 changed'.",
      "",
      "With --env, every web and worker node of the environment is deployed at once over SSH,",
      "with a live line per node and a summary table; a failed node does not stop the others.",
      "",
      "When the environment has a load balancer (role lb), the deploy rolls instead: HAProxy on",
      "the lb node is set up with the web nodes as upstreams; every web node is prepared while the",
      "old release serves; release.run_once hooks run on one node; then nodes are switched in",
      "batches (rollout.batch): out of the balancer, drained (rollout.drain), switched, checked",
      "directly, put back once HAProxy sees them healthy. A failed batch is switched back and the",
      "rollout stops. One deploy at a time per environment (a lock on the lb node)."
    },
    footer = {
      "",
      "Examples:",
      "  hoist deploy                       this machine",
      "  hoist deploy --env stage           every node of 'stage', in parallel",
      "  hoist deploy --env live --node web1 --json",
      "  hoist deploy --env live --canary 1  switch one node, then stop for you to look",
      "  hoist deploy --env live --continue  roll the waiting canary out to the rest"
    })
final class DeployCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Option(
      names = "--dry-run",
      description = "Show what would change, as 'hoist plan' does; touch nothing.")
  boolean dryRun;

  @Option(
      names = "--fail-fast",
      description =
          "After the first failed node, start no more (nodes already" + " deploying finish).")
  boolean failFast;

  @Mixin OutputOptions.Verbose output;

  // hoist server ran build: in this tree already (docs/build.md).
  @Option(names = "--built", hidden = true)
  boolean built;

  // hoist server deploying a pushed commit: its hoist.yml names only the project's files, and no
  // SSH key or known_hosts (docs/security.md).
  @Option(names = "--pushed", hidden = true)
  boolean pushed;

  @Option(
      names = "--progress",
      description =
          "With --json: also print each node's steps on stderr as they end, one line each (what"
              + " 'hoist server' shows in a deploy's live log).")
  boolean progress;

  @Option(
      names = "--canary",
      paramLabel = "N",
      description =
          "Behind a load balancer: switch only N nodes, then"
              + " stop; 'hoist deploy --continue' rolls on, 'hoist rollback' takes them back.")
  int canary;

  @Option(
      names = "--continue",
      description =
          "Behind a load balancer: roll the waiting canary's release out to" + " the other nodes.")
  boolean continuing;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Trace.mark("deploy command parsed");
    if (dryRun) {
      return PlanCommand.show(root.console, projectArg.path, targetOptions, root.ssh, output.json);
    }
    Session loaded = Session.open(projectArg.path, targetOptions, root.ssh, pushed);
    loaded.checkServices();
    Optional<BuildTree> tree =
        built ? Optional.empty() : BuildStep.run(loaded.spec(), root.console);
    try {
      return deploy(tree.map(t -> loaded.withSpec(loaded.spec().builtIn(t.dir()))).orElse(loaded));
    } finally {
      tree.ifPresent(BuildTree::close);
    }
  }

  private int deploy(Session opened) throws CommandException, InterruptedException {
    Optional<BackupCopies> copies = BackupCopies.open(opened);
    try {
      Session s = copies.map(BackupCopies::session).orElse(opened);
      DeployService.Request request = request(s);
      // A db node of its own is converged first: the app nodes need the env it makes.
      var data = new DataPhaseRunner(root.console, output.verbose).run(s);
      if (data.isPresent() && data.get().env() != null) {
        request = request.withRemoteServices(data.get().env());
      }
      DeployService.Way way;
      try {
        way = DeployService.choose(request);
      } catch (RolloutException e) {
        throw new CommandException(ExitCode.USAGE, e.getMessage());
      }
      int exit =
          switch (way) {
            case DeployService.Rolling r ->
                new RolloutRunner(root.console, output.json, progress).run(s, r.job());
            case DeployService.EachNode e -> eachNode(s, e);
          };
      Deployment deployment =
          switch (way) {
            case DeployService.Rolling r -> r.job().deployment();
            case DeployService.EachNode e -> e.deployment();
          };
      // What the data node's backup.json named before this deploy: a target dropped or moved
      // away from loses this app's copies (and the node's key with its last app).
      Optional<BackupConfig.Configured> before =
          data.flatMap(DataPhase.Report::backupTarget).or(deployment::backupTarget);
      // A db node of its own made or reported the key in the data phase, else the app's node.
      Optional<String> key = data.flatMap(DataPhase.Report::backupKey).or(deployment::backupKey);
      int released = BackupRelease.run(exit, s, before, key, root.console, output.json);
      if (copies.isEmpty()) {
        return released;
      }
      int copied = copies.get().finish(exit, key, root.console, output.json);
      return copied != ExitCode.OK ? copied : released;
    } finally {
      copies.ifPresent(BackupCopies::close);
    }
  }

  private DeployService.Request request(Session s) {
    return new DeployService.Request(
        s.spec(),
        s.templates(),
        s.local(),
        s.environment(),
        s.targets(),
        s.balancer(),
        s.balancerOnly(),
        s.environmentNodes("web"),
        s.balancedEnvironmentOfTargets(),
        canary,
        continuing,
        s.cronNode(),
        Optional.empty());
  }

  /** No progress lines: --json alone (its report is the output); --progress keeps them. */
  private boolean quiet() {
    return output.json && !progress;
  }

  /** This machine, or every node on its own: live lines (or one per step), then the summary. */
  private int eachNode(Session s, DeployService.EachNode way)
      throws CommandException, InterruptedException {
    // --verbose on a fleet prints every step of every node as it ends, instead of the live lines.
    FleetDisplay display =
        s.local() || output.json || output.verbose
            ? null
            : new FleetDisplay(root.console, way.nodes());
    Function<FleetNode, DeployListener> listeners =
        node ->
            quiet()
                ? DeployListener.none()
                : display != null
                    ? display.forNode(node.name())
                    : new ProgressPrinter(
                        root.console, output.verbose, s.local() ? "" : node.name());
    Fleet fleet = s.fleet(failFast);
    FleetResult<DeployReport> result;
    // On Ctrl-C, nodes not yet started are skipped and working ones reach a safe point (a complete
    // release serving); the hook waits for that so the user sees how every node was left.
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              fleet.stopStarting();
              root.console.warn(
                  "interrupted: letting every node reach a safe point (a complete release serving) ...");
              try {
                done.await(120, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      result = way.run(fleet, listeners, display == null ? new Fleet.Listener() {} : display);
      if (display != null) {
        display.close();
      }
      render(s, result);
    } finally {
      done.countDown();
    }
    removeHook(hook);
    if (result.all(DeployReport::ok)) {
      return ExitCode.OK;
    }
    return result.onlyConnectionFailures() ? ExitCode.NODE : ExitCode.FAILED;
  }

  private void render(Session s, FleetResult<DeployReport> result) throws CommandException {
    if (output.json) {
      root.console.json(
          s.local()
              ? result.outcomes().getFirst().result().orElse(null)
              : FleetView.json(result, DeployReport::ok));
      if (s.local() && result.outcomes().getFirst().failure().isPresent()) {
        throw failure(result);
      }
      return;
    }
    if (!s.local()) {
      new FleetView(root.console).deploySummary(result);
      return;
    }
    if (result.outcomes().getFirst().failure().isPresent()) {
      throw failure(result);
    }
    DeployReport report = result.outcomes().getFirst().result().orElseThrow();
    new ReportView(root.console).deployed(report);
    if (report.ok() && report.changedCount() > 0) {
      String domain = s.spec().domain();
      boolean https =
          s.spec().tls().on()
              && report.warnings().stream().noneMatch(w -> w.startsWith(CertWarnings.NOT_SERVED));
      root.console.line(
          https
              ? "serving https://"
                  + domain
                  + "/  (try: curl --resolve "
                  + domain
                  + ":443:127.0.0.1 https://"
                  + domain
                  + "/)"
              : "serving http://"
                  + domain
                  + "/  (try: curl -H 'Host: "
                  + domain
                  + "' http://127.0.0.1/)");
    }
  }

  /** On this machine, a deploy that could not run is an error, as before fleets existed. */
  private static CommandException failure(FleetResult<DeployReport> result) {
    return new CommandException(
        ExitCode.NODE, result.outcomes().getFirst().failure().orElseThrow().message());
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook is running and returns at once.
    }
  }
}
