package dev.hoist.it;

import dev.hoist.server.ProjectConfig;
import dev.hoist.server.queue.DeployRequest;
import dev.hoist.server.run.Pipeline;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A pipeline that deploys nothing: it writes {@code lines} log lines {@code pace} apart, reports
 * each node's outcome and keeps a stack of releases, so the real server's history, API and live log
 * can be watched in a browser without a build. Rollback pops back to the release before.
 */
final class ScriptedPipeline implements Pipeline {
  static final List<String> NODES = List.of("web1", "web2");

  private final Deque<String> releases = new ArrayDeque<>();
  volatile int lines = 2;
  volatile Duration pace = Duration.ZERO;

  @Override
  public Result deploy(ProjectConfig project, DeployRequest request, Log log)
      throws InterruptedException {
    String release = "r-" + request.commit().substring(0, 7);
    log.line("fetching " + request.commit());
    log.phase("fetch", Duration.ofMillis(5));
    for (int i = 1; i <= lines; i++) {
      Thread.sleep(pace);
      log.line("step " + i + " of " + lines);
    }
    log.phase("build", Duration.ofMillis(5));
    for (String node : NODES) {
      log.node(node, "deployed", release);
    }
    log.phase("deploy", Duration.ofMillis(5));
    synchronized (releases) {
      releases.push(release);
    }
    return new Result(request.commit(), release);
  }

  @Override
  public Result rollback(ProjectConfig project, Log log) throws Failure, InterruptedException {
    String previous;
    synchronized (releases) {
      if (releases.size() < 2) {
        throw new Failure("deploy", "no earlier release to go back to", null);
      }
      releases.pop();
      previous = releases.peek();
    }
    for (String node : NODES) {
      Thread.sleep(pace);
      log.line(node + ": switching back to " + previous);
      log.node(node, "rolled back", previous);
    }
    return new Result("", previous);
  }
}
