package dev.hoist.fleet;

import dev.hoist.node.Node;
import dev.hoist.node.Trace;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one task on many nodes at once: a virtual thread per node, at most {@code parallel} working
 * at a time, each over its own connection, which is closed when its task ends. A failure stays with
 * its node unless {@code failFast}, which then skips the nodes not yet started (nodes already
 * working finish, so none is left between releases).
 */
public final class Fleet {
  /** How a fleet run behaves; {@code parallel} bounds open connections and working nodes. */
  public record Options(int parallel, boolean failFast) {
    public static final int DEFAULT_PARALLEL = 100;

    public Options {
      if (parallel < 1) {
        throw new IllegalArgumentException("parallel must be at least 1, got " + parallel);
      }
    }
  }

  /**
   * Opens a connection to a node; the fleet closes it (if {@link AutoCloseable}) after the task.
   */
  @FunctionalInterface
  public interface Connector {
    Node connect(FleetNode node) throws IOException, InterruptedException;
  }

  /** The work on one node. */
  @FunctionalInterface
  public interface Task<T> {
    T run(FleetNode node, Node connection) throws Exception;

    /** Whether a result counts as success, for --fail-fast (a deploy can end rolled back). */
    default boolean succeeded(T result) {
      return true;
    }
  }

  /** Hears each node's progress; called from the nodes' threads. */
  public interface Listener {
    default void connecting(FleetNode node) {}

    default void working(FleetNode node) {}

    default void finished(FleetNode node, NodeOutcome<?> outcome) {}
  }

  private final Connector connector;
  private final Options options;
  private final AtomicBoolean stopStarting = new AtomicBoolean();

  public Fleet(Connector connector, Options options) {
    this.connector = connector;
    this.options = options;
  }

  /** Ctrl-C: nodes not yet started are skipped; nodes already working run to their end. */
  public void stopStarting() {
    stopStarting.set(true);
  }

  public <T> FleetResult<T> run(List<FleetNode> nodes, Task<T> task, Listener listener)
      throws InterruptedException {
    long start = System.nanoTime();
    Semaphore slots = new Semaphore(options.parallel());
    List<NodeOutcome<T>> outcomes = new ArrayList<>();
    nodes.forEach(n -> outcomes.add(null));
    List<Thread> threads = new ArrayList<>();
    // Slots are taken here, in node order, so nodes start in the order given (what --parallel 1
    // and --fail-fast promise), whichever thread the scheduler would have run first.
    for (int i = 0; i < nodes.size(); i++) {
      int index = i;
      FleetNode node = nodes.get(i);
      slots.acquire();
      // Platform threads: see rollout.Parallel (class loading pins a virtual thread's carrier).
      threads.add(
          Thread.ofPlatform()
              .daemon()
              .name("node-" + node.name())
              .start(
                  () -> {
                    NodeOutcome<T> outcome;
                    try {
                      outcome = runOne(node, task, listener);
                    } finally {
                      slots.release();
                    }
                    synchronized (outcomes) {
                      outcomes.set(index, outcome);
                    }
                    listener.finished(node, outcome);
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    return new FleetResult<>(outcomes, Duration.ofNanos(System.nanoTime() - start));
  }

  private <T> NodeOutcome<T> runOne(FleetNode node, Task<T> task, Listener listener) {
    long start = System.nanoTime();
    try {
      if (stopStarting.get()) {
        return NodeOutcome.failed(
            node.name(),
            new NodeFailure(
                NodeFailure.Kind.SKIPPED,
                "not started: the deploy was stopped before this node's turn"),
            Duration.ZERO);
      }
      listener.connecting(node);
      Trace.mark(node.name() + " connecting");
      Node connection = connector.connect(node);
      try {
        Trace.mark(node.name() + " connected");
        listener.working(node);
        T result = task.run(node, connection);
        Trace.mark(node.name() + " done");
        if (options.failFast() && !task.succeeded(result)) {
          stopStarting.set(true);
        }
        return NodeOutcome.of(node.name(), result, since(start));
      } finally {
        if (connection instanceof AutoCloseable closeable) {
          closeable.close();
        }
      }
    } catch (Exception e) {
      NodeFailure failure = Failures.classify(e);
      if (options.failFast() && failure.kind() != NodeFailure.Kind.SKIPPED) {
        stopStarting.set(true);
      }
      return NodeOutcome.failed(node.name(), failure, since(start));
    }
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
