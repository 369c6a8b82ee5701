package dev.hoist.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A node's stderr read as lines, each cut at {@link #MAX} bytes: the node is not trusted to end its
 * lines, and an endless one must not grow this process's memory without bound.
 */
public final class BoundedLines {
  static final int MAX = 64 * 1024;

  private BoundedLines() {}

  /** Passes each line (without its newline) to {@code listener} until the stream ends or fails. */
  public static void read(InputStream stream, Consumer<String> listener) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    boolean cut = false;
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = stream.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            listener.accept(text(line, cut));
            line.reset();
            cut = false;
          } else if (line.size() < MAX) {
            line.write(buf[i]);
          } else {
            cut = true;
          }
        }
      }
    } catch (IOException e) {
      // The stream closed under us; the exit status (or its absence) tells what happened.
    }
    if (line.size() > 0 || cut) {
      listener.accept(text(line, cut));
    }
  }

  private static String text(ByteArrayOutputStream line, boolean cut) {
    String s = line.toString(StandardCharsets.UTF_8);
    return cut ? s + " [line cut at " + MAX + " bytes]" : s;
  }
}
