package dev.hoist.release;

import dev.hoist.engine.Engine.StepEvent;

/** Hears how a deploy on one node goes: its phases, then each step of the apply as it ends. */
public interface DeployListener {
  /** What a deploy is doing now. */
  enum Phase {
    PROBE,
    APPLY
  }

  /**
   * The deploy entered {@code phase}; for {@link Phase#APPLY}, {@code steps} is how many it runs.
   */
  default void phase(Phase phase, int steps) {}

  /** A step started, ended, or printed a line (see {@link StepEvent#isLog()}). */
  default void step(StepEvent event) {}

  static DeployListener none() {
    return new DeployListener() {};
  }
}
