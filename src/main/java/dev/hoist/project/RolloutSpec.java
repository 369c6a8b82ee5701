package dev.hoist.project;

import java.time.Duration;

/**
 * How a deploy behind a load balancer activates nodes: {@code batch} nodes at a time (at most
 * {@code maxUnavailable} out of the balancer), each drained for up to {@code drain} first; after a
 * failed batch, {@code onFailure} says whether earlier batches stay on the new release.
 */
public record RolloutSpec(Share batch, Share maxUnavailable, Duration drain, OnFailure onFailure) {

  /** What happens to batches that went well when a later one fails. */
  public enum OnFailure {
    /**
     * Stop; the failed batch goes back to the previous release, earlier batches keep the new one.
     */
    STOP,
    /** Stop and put every node that switched back on the previous release. */
    ROLLBACK_ALL
  }

  /** A number of nodes, or a percentage of them ({@code 1}, {@code 25%}). */
  public record Share(int value, boolean percent) {
    public Share {
      if (value < 1 || (percent && value > 100)) {
        throw new IllegalArgumentException(
            "a share is 1 or more nodes, or 1% to 100%, got " + value);
      }
    }

    /**
     * How many of {@code nodes} this is: at least 1 (a percentage rounds down), at most all of
     * them.
     */
    public int of(int nodes) {
      int n = percent ? value * nodes / 100 : value;
      return Math.max(1, Math.min(n, nodes));
    }

    @Override
    public String toString() {
      return value + (percent ? "%" : "");
    }
  }

  /** One node at a time, drained for up to 10 s; a failure stops the rollout. */
  public static RolloutSpec defaults() {
    Share one = new Share(1, false);
    return new RolloutSpec(one, one, Duration.ofSeconds(10), OnFailure.STOP);
  }

  /**
   * The batch size for {@code nodes} web nodes: the batch, bounded by max_unavailable, and never
   * all of them when there are two or more, so the balancer always has a node to send requests to.
   */
  public int batchSize(int nodes) {
    int size = Math.min(batch.of(nodes), maxUnavailable.of(nodes));
    return nodes > 1 ? Math.min(size, nodes - 1) : 1;
  }
}
