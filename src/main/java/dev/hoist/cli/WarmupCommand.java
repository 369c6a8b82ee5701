package dev.hoist.cli;

import dev.hoist.engine.Planner;
import dev.hoist.node.Agent;
import dev.hoist.release.ReleaseSource;
import dev.hoist.release.ReleaseSteps;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * Hidden: runs the code paths of a deploy without touching any node, so the launcher can record a
 * class-data (AOT) cache that makes every later start fast.
 */
@Command(name = "warmup", hidden = true)
final class WarmupCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Parameters(index = "0", paramLabel = "PROJECT")
  String project;

  @Override
  public Integer call() throws Exception {
    Session s = Session.open(project, new TargetOptions(), root.ssh);
    // Loads the SSH client's classes into the AOT cache too: fleet commands start it first thing.
    root.ssh.nodes();
    var stack = s.stack();
    var plan = Planner.plan(stack.catalog(), Map.of(), stack.releaseRefreshed());
    var steps = new ReleaseSteps(stack);
    steps.prepare("warmup", "0".repeat(64), Map.of());
    steps.activate(Optional.of("warmup"), plan.deferred());
    ReleaseSource.scan(s.spec().projectDir(), s.spec().shared()).hash("warmup");
    Agent.request("probe").toString();
    Console quiet = new Console(new PrintStream(OutputStream.nullOutputStream()),
        new PrintStream(OutputStream.nullOutputStream()), true);
    quiet.json(plan.changes());
    new ProgressPrinter(quiet, true).step(new dev.hoist.engine.Engine.StepEvent("x", "ok", "n", null, 0));
    return ExitCode.OK;
  }
}
