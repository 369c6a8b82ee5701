package dev.hoist.rollout;

import java.util.ArrayList;
import java.util.List;

/** Splits the nodes to activate into batches, in inventory order; pure. */
public final class Batches {
  private Batches() {}

  /**
   * Batches of {@code size} nodes; with {@code canary > 0}, only the first {@code canary} nodes,
   * still in batches of {@code size} (so a canary never takes more out of the balancer than a
   * batch), and the rollout stops after them for the user to look.
   */
  public static List<List<String>> of(List<String> nodes, int size, int canary) {
    if (size < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + size);
    }
    if (canary > 0) {
      nodes = nodes.subList(0, Math.min(canary, nodes.size()));
    }
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i += size) {
      out.add(List.copyOf(nodes.subList(i, Math.min(i + size, nodes.size()))));
    }
    return out;
  }
}
