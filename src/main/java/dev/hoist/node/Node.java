package dev.hoist.node;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where commands run: this machine or (later) an SSH session. Every run goes through {@link
 * #exec(ExecRequest)}, so local and remote take the same code path.
 */
public interface Node {
  /** A short name for reports, e.g. {@code local} or {@code web1}. */
  String name();

  /**
   * Runs {@code request.argv()} (never a shell string), feeds it {@code request.stdin()}, streams
   * each stdout line to {@code request.onLine()}, and returns when it exits or the timeout passes
   * (then the process is killed and an {@link IOException} thrown).
   */
  ExecResult exec(ExecRequest request) throws IOException, InterruptedException;

  /**
   * Runs {@code argv} attached to the user's terminal (stdin, stdout, stderr; a TTY when {@code
   * tty} and one is there) until it exits, and returns its exit code.
   */
  int interactive(java.util.List<String> argv, boolean tty)
      throws IOException, InterruptedException;

  /**
   * Starts {@code argv} (as root, as {@link #exec} does) with its stdin and stdout as byte streams
   * of any length and each stderr line handed to {@code onErrorLine} as it comes; see {@link
   * StreamingCommand}. Nodes that cannot stream (test doubles) refuse.
   */
  default StreamingCommand stream(List<String> argv, Consumer<String> onErrorLine)
      throws IOException, InterruptedException {
    throw new IOException(name() + ": this node cannot stream a command");
  }
}
