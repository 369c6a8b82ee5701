package dev.hoist.cli;

/** Named exit codes, so scripts can tell failures apart. */
public final class ExitCode {
  public static final int OK = 0;

  /** The deploy ran and failed (and was rolled back where it had switched). */
  public static final int FAILED = 1;

  /** Bad input: the command line or hoist.yml. */
  public static final int USAGE = 2;

  /** The node could not be reached or the agent could not run. */
  public static final int NODE = 3;

  /** Stopped by Ctrl-C. */
  public static final int INTERRUPTED = 130;

  private ExitCode() {}
}
