package dev.hoist.ssh;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;

/**
 * The user's terminal, through {@code stty}: whether stdin is one, its size, and raw mode (keys go
 * to the remote side unprocessed, Ctrl-C included) restored on close.
 */
final class LocalTerminal implements AutoCloseable {
  private static final File TTY = new File("/dev/tty");

  private final String saved;

  private LocalTerminal(String saved) {
    this.saved = saved;
  }

  /** Whether this process's stdin is a terminal (stty can read its settings). */
  static boolean present() {
    return stty(Redirect.INHERIT, "-g") != null;
  }

  /** {@code {rows, columns}} of the terminal, or null when unknown. */
  static int[] size() {
    String size = stty(Redirect.from(TTY), "size");
    if (size == null) {
      return null;
    }
    String[] parts = size.strip().split("\\s+");
    try {
      return parts.length == 2
          ? new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])}
          : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Puts the terminal in raw mode without echo; {@link #close()} restores what it was. */
  static LocalTerminal raw() throws IOException {
    String saved = stty(Redirect.from(TTY), "-g");
    if (saved == null || stty(Redirect.from(TTY), "raw", "-echo") == null) {
      throw new IOException("cannot put the terminal in raw mode (stty failed)");
    }
    return new LocalTerminal(saved.strip());
  }

  @Override
  public void close() {
    stty(Redirect.from(TTY), saved);
  }

  /** Runs stty with {@code input} as its terminal; its output, or null when it failed. */
  private static String stty(Redirect input, String... args) {
    String[] argv = new String[args.length + 1];
    argv[0] = "stty";
    System.arraycopy(args, 0, argv, 1, args.length);
    try {
      Process p =
          new ProcessBuilder(argv).redirectInput(input).redirectError(Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
