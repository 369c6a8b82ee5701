package dev.hoist.rollout;

import dev.hoist.fleet.FleetNode;
import java.util.List;

/** A piece of work behind an environment's balancer (a rolling deploy, a rolling switch). */
public interface RolloutJob {
  /** The nodes it needs a connection to, the balancer first. */
  List<FleetNode> nodes();

  /** Runs with a connection to each of {@link #nodes()}, telling {@code listener} how it goes. */
  RolloutReport run(Connections connections, RolloutListener listener)
      throws RolloutException, InterruptedException;

  /** Ctrl-C: the batch in progress finishes (and goes back in); no other starts. */
  void stop();
}
