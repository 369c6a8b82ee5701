package dev.hoist.build;

import java.util.List;

/** A build that could not run or failed: what and where, and its output's last lines. */
public final class BuildException extends Exception {
  private final List<String> tail;

  public BuildException(String message, List<String> tail) {
    super(message);
    this.tail = List.copyOf(tail);
  }

  /** The last lines the build printed (empty when it never started). */
  public List<String> tail() {
    return tail;
  }
}
