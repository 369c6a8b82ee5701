package dev.hoist.server.run;

import dev.hoist.server.ProjectConfig;
import dev.hoist.server.queue.DeployRequest;
import java.time.Duration;

/**
 * What the server runs for one deploy: fetch, build and deploy a commit, or roll back. The shape of
 * dev.hoist.server.build.PushPipeline (SERVER.md, seam 1), behind an interface so the server's
 * wiring is tested with a fake and the real pipeline is adapted in one place (ServerMain).
 */
public interface Pipeline {
  /** Fetch exactly {@code request.commit()} (the branch head when null), build, deploy. */
  Result deploy(ProjectConfig project, DeployRequest request, Log log)
      throws Failure, InterruptedException;

  /** Switch every node of the project's environment back to its previous release. */
  Result rollback(ProjectConfig project, Log log) throws Failure, InterruptedException;

  /** Progress of one run; nothing in it may hold a secret. */
  interface Log {
    void line(String text);

    /** A phase ("fetch", "build", "deploy") finished. */
    void phase(String phase, Duration took);

    /** outcome: "deployed" | "failed" | "unchanged" | "rolled back". */
    void node(String node, String outcome, String release);
  }

  /** The commit that was deployed and the release it made. */
  record Result(String commit, String release) {}

  /** The run failed in {@code phase} ("fetch", "build" or "deploy"); the live release is kept. */
  final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    private final String phase;

    public Failure(String phase, String message, Throwable cause) {
      super(message, cause);
      this.phase = phase;
    }

    public String phase() {
      return phase;
    }
  }
}
