package dev.hoist.cli;

import dev.hoist.fleet.FleetResult;
import dev.hoist.release.DeployListener;
import dev.hoist.release.DeployReport;
import dev.hoist.release.Deployer;
import dev.hoist.release.Deployment;
import dev.hoist.services.DataTransfer;
import dev.hoist.services.PgRestoreList;
import dev.hoist.ssh.Rehearsal;
import dev.hoist.stack.Edge;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * Hidden: runs the code paths of the common commands without changing anything, so the launcher can
 * record a class-data (AOT) cache that makes every later start fast: every command's options model,
 * an SSH conversation with an in-process server, a project with services on a node of an
 * environment read as the data commands read it, and a read-only plan of this machine through the
 * same fleet code a remote deploy uses.
 */
@Command(name = "warmup", hidden = true)
final class WarmupCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Parameters(index = "0", paramLabel = "PROJECT")
  String project;

  /**
   * What {@code hoist backup --env live} reads before it connects: examples/django-postgres's
   * hoist.yml (services, a release command) with nodes and an environment.
   */
  private static final String DATA_PROJECT =
      """
      app: warmup
      wsgi: shopsite.wsgi:application
      domain: warmup.test
      env: {DJANGO_SETTINGS_MODULE: shopsite.settings}
      packages: [python3-django, python3-psycopg2]
      release:
        run_once: [python manage.py migrate --noinput]
      health: {path: /healthz/, contains: ok}
      services:
        postgres: {extensions: [pg_trgm]}
        redis: {}
        files: {url: /uploads, max_size: 10m}
      nodes:
        db1: {host: 127.0.0.1, port: 2222, user: root, key: id_ed25519, known_hosts: known_hosts}
      environments:
        live: {web: [db1]}
      """;

  @Override
  public Integer call() throws Exception {
    HoistCommand.SUBCOMMANDS.keySet().forEach(name -> root.commandLine(List.of(name)));
    Path dir = Files.createTempDirectory("hoist-warmup");
    try {
      Rehearsal.run(root.ssh.nodes(), dir);
    } catch (Exception e) {
      // A machine without loopback networking still gets the rest of the cache.
    }
    try {
      data(dir);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Console quiet =
        new Console(
            new PrintStream(OutputStream.nullOutputStream()),
            new PrintStream(OutputStream.nullOutputStream()),
            true);
    Session s = Session.open(project, new TargetOptions(), root.ssh);
    Deployment deployment =
        new Deployment(s.spec(), s.templates(), Edge.direct(java.util.Optional.empty()));
    deployment.prepareAhead();
    FleetDisplay display = new FleetDisplay(quiet, s.targets());
    FleetResult<DeployReport> result =
        s.run(
            (node, connection) -> {
              DeployListener listener = display.forNode(node.name());
              listener.phase(DeployListener.Phase.PROBE, 0);
              return new Deployer(Session.engine(connection), deployment).plan();
            },
            display,
            false);
    display.close();
    quiet.json(FleetView.json(result, DeployReport::ok));
    new FleetView(quiet).deploySummary(result);
    result.outcomes().getFirst().result().ifPresent(r -> new ReportView(quiet).plan(r, true));
    new ProgressPrinter(quiet, true)
        .step(
            new dev.hoist.engine.Engine.StepEvent(
                "x", dev.hoist.engine.Engine.StepEvent.Status.OK, "n", null, 0));
    return ExitCode.OK;
  }

  /** The data commands' start up to their connection (which the rehearsal above made). */
  private void data(Path dir) throws Exception {
    Path project = Files.createDirectory(dir.resolve("data"));
    Files.writeString(project.resolve("hoist.yml"), DATA_PROJECT);
    TargetOptions options = new TargetOptions();
    options.env = "live";
    options.parallel = 1;
    Session s = Session.open(project.toString(), options, root.ssh);
    s.dataNode();
    DataTransfer transfer = new DataTransfer(new PgRestoreList());
    try (CtrlC ctrlC = new CtrlC(root.console, transfer::cancel)) {
      ctrlC.fired();
    }
  }
}
