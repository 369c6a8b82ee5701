package dev.hoist.node;

/** How a command ended: exit code and what it wrote. */
public record ExecResult(int exitCode, String stdout, String stderr) {
  public boolean ok() {
    return exitCode == 0;
  }
}
