package dev.hoist.cli;

import dev.hoist.ssh.SshNodes;
import dev.hoist.ssh.SshSettings;
import java.nio.file.Path;

/**
 * The process's SSH client: started on first use (commands on this machine never start it) and
 * closed by {@link Main} when the command ends. Key passphrases are asked on the terminal.
 */
final class SshAccess implements AutoCloseable {
  private SshNodes nodes;

  synchronized SshNodes nodes() {
    if (nodes == null) {
      nodes = SshNodes.start(SshSettings.fromEnvironment(SshAccess::askPassphrase));
      dev.hoist.node.Trace.mark("ssh client started");
    }
    return nodes;
  }

  /**
   * Starts the client on another thread now, while the project loads; {@link #nodes()} waits for
   * it.
   */
  void startAhead() {
    Thread.ofVirtual().start(this::nodes);
  }

  /** Null without a terminal: the key is then skipped and the auth error says so. */
  private static char[] askPassphrase(Path key, int attempt) {
    java.io.Console console = Console.terminal();
    if (console == null) {
      return null;
    }
    return console.readPassword("Passphrase for %s%s: ", key, attempt > 1 ? " (try again)" : "");
  }

  @Override
  public synchronized void close() {
    if (nodes != null) {
      nodes.close();
      nodes = null;
    }
  }
}
