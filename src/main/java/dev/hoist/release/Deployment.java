package dev.hoist.release;

import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.Spec;
import dev.hoist.stack.BackupConfig;
import dev.hoist.stack.CronPlacement;
import dev.hoist.stack.Edge;
import dev.hoist.stack.ServicesEnv;
import dev.hoist.stack.Stack;
import dev.hoist.stack.StackBuilder;
import dev.hoist.stack.Templates;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One deploy of a spec, shared by the deployers of all its nodes: the code bundle, and the stack
 * (rendered config files and all) built once per kind of init system, not once per node.
 * Thread-safe.
 */
public final class Deployment {
  private final Spec spec;
  private final Templates templates;
  private final Edge edge;
  private final ReleaseBundle bundle;
  private final Optional<String> cronNode;
  private final Optional<ServicesEnv> remoteServices;
  private final Map<String, Stack> stacks = new HashMap<>();
  private volatile Optional<String> backupKey = Optional.empty();
  private volatile Optional<BackupConfig.Configured> backupTarget = Optional.empty();

  /**
   * {@code edge}: whether the nodes end TLS themselves or sit behind balancers. The app's scheduled
   * jobs are left as they are on every node.
   */
  public Deployment(Spec spec, Templates templates, Edge edge) {
    this(spec, templates, edge, Optional.empty());
  }

  /** {@code cronNode}: the node that runs the app's scheduled jobs (removed from the others). */
  public Deployment(Spec spec, Templates templates, Edge edge, Optional<String> cronNode) {
    this(spec, templates, edge, cronNode, Optional.empty());
  }

  /**
   * {@code remoteServices}: the app's services env from its separate db node (the data phase),
   * which the app nodes get instead of services of their own.
   */
  public Deployment(
      Spec spec,
      Templates templates,
      Edge edge,
      Optional<String> cronNode,
      Optional<ServicesEnv> remoteServices) {
    this.remoteServices = remoteServices;
    this.spec = spec;
    this.templates = templates;
    this.edge = edge;
    this.cronNode = cronNode;
    this.bundle = ReleaseBundle.of(spec);
  }

  /** Whether {@code node} runs the app's scheduled jobs, or this deployment leaves them be. */
  public CronPlacement cronPlacement(String node) {
    return cronNode
        .map(n -> n.equals(node) ? CronPlacement.HERE : CronPlacement.ELSEWHERE)
        .orElse(CronPlacement.UNMANAGED);
  }

  public Edge edge() {
    return edge;
  }

  public Spec spec() {
    return spec;
  }

  public Templates templates() {
    return templates;
  }

  public ReleaseBundle bundle() {
    return bundle;
  }

  /**
   * The stack for nodes run by {@code supervisor} that hold no ACME certificate yet, built on first
   * request.
   */
  public Stack stack(Supervisor supervisor) {
    return stack(supervisor, false);
  }

  /** As {@link #stack(Supervisor)}; {@code certOnNode}: the node holds the app's certificate. */
  public Stack stack(Supervisor supervisor, boolean certOnNode) {
    return stack(supervisor, certOnNode, CronPlacement.UNMANAGED);
  }

  /** As {@link #stack(Supervisor, boolean)}, with or without the app's scheduled jobs. */
  public Stack stack(Supervisor supervisor, boolean certOnNode, CronPlacement cron) {
    synchronized (stacks) {
      return stacks.computeIfAbsent(
          supervisor + "/" + certOnNode + "/" + cron,
          k ->
              new StackBuilder(templates, supervisor)
                  .withServicesFrom(remoteServices)
                  .build(spec, edge, certOnNode, cron));
    }
  }

  /**
   * The data node's public key for off-node copies ({@code backup.to}), as its probe or the apply
   * that made it reported it: empty until then.
   */
  public Optional<String> backupKey() {
    return backupKey;
  }

  /** Records the data node's public key ({@link dev.hoist.stack.BackupKey#parse}d). */
  void heardBackupKey(String key) {
    backupKey = Optional.of(key);
  }

  /**
   * The copy target that the data node's backup.json named when this deploy probed it (before
   * rewriting it): empty when it named none, or no probe has read it yet.
   */
  public Optional<BackupConfig.Configured> backupTarget() {
    return backupTarget;
  }

  void heardBackupTarget(BackupConfig.Configured target) {
    backupTarget = Optional.of(target);
  }

  /**
   * Starts building what every node needs (the runit stack, the code's hash) on another thread, so
   * it is ready when the first SSH connection is; errors surface later, where a node asks for it.
   */
  public void prepareAhead() {
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                // Most nodes of an environment do not run the jobs.
                stack(
                    Supervisor.RUNIT,
                    false,
                    cronNode.isPresent() ? CronPlacement.ELSEWHERE : CronPlacement.UNMANAGED);
                bundle.hash();
              } catch (Exception e) {
                // The node that needs it gets the same error, with its context.
              }
            });
  }
}
