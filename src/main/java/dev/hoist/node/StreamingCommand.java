package dev.hoist.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A command running on a node whose stdin and stdout are byte streams (a backup bundle going out or
 * coming in), started by {@link Node#stream}. The caller writes {@link #stdin()} (closing it is the
 * command's EOF) and reads {@link #stdout()} to its end, then {@link #waitFor()}s; stderr lines go
 * to the listener given when it started. There is no timeout: the caller ends it with {@link
 * #cancel()} (Ctrl-C) and always {@link #close()}s it.
 */
public interface StreamingCommand extends AutoCloseable {
  OutputStream stdin();

  InputStream stdout();

  /**
   * Waits until the command has exited and its stderr has been read; its exit code, or 128 + the
   * signal number when a signal ended it (as sh reports).
   *
   * @throws IOException when the node was lost and no exit status came
   */
  int waitFor() throws IOException, InterruptedException;

  /**
   * Asks the command to stop, from any thread: SIGTERM, and EOF on its stdin, so it stops at its
   * own safe point and still reports (its stdout ends and {@link #waitFor()} returns). Idempotent.
   */
  void cancel();

  /** Releases the process or channel; one still running is killed (its channel closed). */
  @Override
  void close();
}
