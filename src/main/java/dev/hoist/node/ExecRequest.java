package dev.hoist.node;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * One command to run on a node: argv, bytes for its stdin, a timeout and a stdout line listener.
 */
public record ExecRequest(
    List<String> argv, byte[] stdin, Duration timeout, Consumer<String> onLine) {
  public ExecRequest {
    argv = List.copyOf(argv);
    stdin = stdin == null ? new byte[0] : stdin;
    onLine = onLine == null ? line -> {} : onLine;
  }

  public static ExecRequest of(List<String> argv, Duration timeout) {
    return new ExecRequest(argv, null, timeout, null);
  }
}
