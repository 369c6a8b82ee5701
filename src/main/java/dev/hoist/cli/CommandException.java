package dev.hoist.cli;

/** Ends a command with a message for the user and an exit code. */
final class CommandException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  CommandException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
