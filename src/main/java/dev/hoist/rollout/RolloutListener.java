package dev.hoist.rollout;

import java.util.List;

/** Hears a rollout's progress, one line at a time; called from the rollout's threads. */
public interface RolloutListener {
  /** A step of the rollout as a whole (lock, balancer, prepare, hooks, a batch starting). */
  default void note(String text) {}

  /** Something that happened on one node. */
  default void node(String node, String text) {}

  /** A batch is about to leave the balancer. */
  default void batch(int number, int of, List<String> nodes) {}

  static RolloutListener none() {
    return new RolloutListener() {};
  }
}
