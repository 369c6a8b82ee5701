package dev.hoist.cli;

import dev.hoist.node.Node;
import dev.hoist.services.TransferException;

/** What backup, restore and migrate share: exit codes for failures, closing connections. */
final class Transfers {
  private Transfers() {}

  /** The failure as a command's error: its exit code by kind. */
  static CommandException failure(TransferException e, CtrlC ctrlC) {
    if (ctrlC.fired() || e.kind() == TransferException.Kind.INTERRUPTED) {
      return new CommandException(
          ExitCode.INTERRUPTED, "interrupted: the stream was cut; the node kept its live data");
    }
    return new CommandException(
        switch (e.kind()) {
          case REFUSED -> ExitCode.USAGE;
          case NODE -> ExitCode.NODE;
          case BUNDLE, FAILED, INTERRUPTED -> ExitCode.FAILED;
        },
        e.getMessage());
  }

  static void close(Node node) {
    if (node instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing a connection that failed: nothing more to tell.
      }
    }
  }
}
