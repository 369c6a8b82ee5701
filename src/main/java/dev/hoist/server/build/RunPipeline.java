package dev.hoist.server.build;

import dev.hoist.server.ProjectConfig;
import dev.hoist.server.queue.DeployRequest;
import dev.hoist.server.run.Pipeline;
import java.time.Duration;

/** {@link PushPipeline} as the server's {@link Pipeline}: the same calls, the server's types. */
public final class RunPipeline implements Pipeline {
  private final PushPipeline pipeline;

  public RunPipeline(PushPipeline pipeline) {
    this.pipeline = pipeline;
  }

  @Override
  public Result deploy(ProjectConfig project, DeployRequest request, Log log)
      throws Failure, InterruptedException {
    try {
      PipelineResult r = pipeline.deploy(project, request, adapt(log));
      return new Result(r.commit(), r.release());
    } catch (PipelineFailure e) {
      throw new Failure(e.phase(), e.getMessage(), e);
    }
  }

  @Override
  public Result rollback(ProjectConfig project, Log log) throws Failure, InterruptedException {
    try {
      PipelineResult r = pipeline.rollback(project, adapt(log));
      return new Result(r.commit(), r.release());
    } catch (PipelineFailure e) {
      throw new Failure(e.phase(), e.getMessage(), e);
    }
  }

  private static PipelineLog adapt(Log log) {
    return new PipelineLog() {
      @Override
      public void line(String text) {
        log.line(text);
      }

      @Override
      public void phase(String phase, Duration took) {
        log.phase(phase, took);
      }

      @Override
      public void node(String node, String outcome, String release) {
        log.node(node, outcome, release);
      }
    };
  }
}
