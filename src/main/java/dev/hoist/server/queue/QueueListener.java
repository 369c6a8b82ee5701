package dev.hoist.server.queue;

/** What the queue tells the history: each request's fate. Called outside the queue's lock. */
public interface QueueListener {
  /** {@code request} waits behind the running deploy. */
  default void queued(DeployRequest request) {}

  /** {@code request} starts now. */
  default void started(DeployRequest request) {}

  /** {@code skipped} will never run: {@code newer} arrived while it waited. */
  default void superseded(DeployRequest skipped, DeployRequest newer) {}

  /** {@code request} finished (its result is the deployer's to record). */
  default void finished(DeployRequest request) {}

  /** The deployer threw; the queue goes on with the next request. */
  default void failed(DeployRequest request, Exception error) {}
}
