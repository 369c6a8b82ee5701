package dev.hoist.server.build;

/** A pipeline run that failed in {@code phase} ("fetch", "build" or "deploy"). */
public final class PipelineFailure extends Exception {
  private final String phase;

  public PipelineFailure(String phase, String message, Throwable cause) {
    super(message, cause);
    this.phase = phase;
  }

  public String phase() {
    return phase;
  }
}
