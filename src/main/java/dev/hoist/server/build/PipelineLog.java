package dev.hoist.server.build;

import java.time.Duration;

/** Where a pipeline reports: its progress lines, each phase's time, and each node's outcome. */
public interface PipelineLog {
  /** One line of progress, never holding a secret. */
  void line(String text);

  /** A phase ended: "fetch", "build" or "deploy". */
  void phase(String phase, Duration took);

  /** {@code outcome}: "deployed", "failed", "unchanged" or "rolled back". */
  void node(String node, String outcome, String release);
}
