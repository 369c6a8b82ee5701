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
  private boolean started;
  private boolean closed;

  synchronized SshNodes nodes() {
    if (nodes == null) {
      nodes = SshNodes.start(SshSettings.fromEnvironment(SshAccess::askPassphrase));
      dev.hoist.node.Trace.mark("ssh client started");
    }
    return nodes;
  }

  /**
   * Starts the client on another thread now, while the command line is read and the project loads;
   * {@link #nodes()} waits for it. Once per process.
   */
  synchronized void startAhead() {
    if (!started && nodes == null) {
      started = true;
      Thread.ofVirtual().start(this::startIfOpen);
    }
  }

  /** A command that ended before the thread ran (a usage error) closed this: nothing to start. */
  private synchronized void startIfOpen() {
    if (!closed) {
      nodes();
    }
  }

  /**
   * Whether {@code args} (hoist's own, before any {@code --}) name nodes with --env or --node: the
   * command will then need the client, which {@link Main} starts before the command line is even
   * parsed (the client's start, ~150 ms of CPU, overlaps picocli's reading of the commands).
   */
  static boolean named(java.util.List<String> args) {
    return args.stream()
        .anyMatch(
            a ->
                a.equals("-e")
                    || a.equals("--env")
                    || a.equals("--node")
                    || a.startsWith("-e=")
                    || a.startsWith("--env=")
                    || a.startsWith("--node="));
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
    closed = true;
    if (nodes != null) {
      nodes.close();
      nodes = null;
    }
  }
}
