package dev.hoist.server.queue;

/**
 * The deploy step the queue runs: fetch, build and deploy one commit. Behind this interface so the
 * queue is tested without git or nodes; the real pipeline is wired in later (docs/server.md).
 */
@FunctionalInterface
public interface Deployer {
  /**
   * Deploys {@code request}, returning when it has finished. A failure is the deployer's to record;
   * an exception thrown here is reported to {@link QueueListener#failed} and the queue goes on.
   */
  void deploy(DeployRequest request) throws Exception;
}
