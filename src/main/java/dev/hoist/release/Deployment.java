package dev.hoist.release;

import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.Spec;
import dev.hoist.stack.Edge;
import dev.hoist.stack.Stack;
import dev.hoist.stack.StackBuilder;
import dev.hoist.stack.Templates;
import java.util.EnumMap;
import java.util.Map;

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
  private final Map<Supervisor, Stack> stacks = new EnumMap<>(Supervisor.class);
  private final Map<Supervisor, Stack> withCert = new EnumMap<>(Supervisor.class);

  /** {@code edge}: whether the nodes end TLS themselves or sit behind balancers. */
  public Deployment(Spec spec, Templates templates, Edge edge) {
    this.spec = spec;
    this.templates = templates;
    this.edge = edge;
    this.bundle = ReleaseBundle.of(spec);
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
    Map<Supervisor, Stack> cache = certOnNode ? withCert : stacks;
    synchronized (cache) {
      return cache.computeIfAbsent(
          supervisor, s -> new StackBuilder(templates, s).build(spec, edge, certOnNode));
    }
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
                stack(Supervisor.RUNIT);
                bundle.hash();
              } catch (Exception e) {
                // The node that needs it gets the same error, with its context.
              }
            });
  }
}
