package dev.hoist.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** This machine: commands run as child processes. */
public final class LocalNode implements Node {
  @Override
  public String name() {
    return "local";
  }

  @Override
  public ExecResult exec(ExecRequest request) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(request.argv()).start();
    AtomicBoolean timedOut = new AtomicBoolean();
    // The watchdog ends a command that outlives its timeout, which also ends the read loop below.
    Thread watchdog =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    if (!process.waitFor(request.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                      timedOut.set(true);
                      process.destroyForcibly();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    // Own threads, not the common pool: on a 2-core machine it has one thread, and stdin and stderr
    // must be served at the same time.
    CompletableFuture<String> err = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> err.complete(drain(process.getErrorStream())));
    Thread in =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (OutputStream stdin = process.getOutputStream()) {
                    stdin.write(request.stdin());
                  } catch (IOException e) {
                    // The command exited without reading all its input; its exit code tells why.
                  }
                });
    StringBuilder out = new StringBuilder();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        out.append(line).append('\n');
        request.onLine().accept(line);
      }
    }
    int exit = process.waitFor();
    watchdog.interrupt();
    in.join();
    if (timedOut.get()) {
      throw new IOException(
          "timed out after " + request.timeout().toSeconds() + "s: " + request.argv().get(0));
    }
    return new ExecResult(exit, out.toString(), err.join());
  }

  @Override
  public int interactive(java.util.List<String> argv, boolean tty)
      throws IOException, InterruptedException {
    // Local processes inherit the terminal itself, so a TTY is there whenever the user has one.
    return new ProcessBuilder(argv).inheritIO().start().waitFor();
  }

  @Override
  public StreamingCommand stream(java.util.List<String> argv, Consumer<String> onErrorLine)
      throws IOException {
    return new LocalStream(new ProcessBuilder(argv).start(), onErrorLine);
  }

  /** A child process with piped stdin and stdout, its stderr read line by line on a thread. */
  private static final class LocalStream implements StreamingCommand {
    private final Process process;
    private final Thread errors;

    LocalStream(Process process, Consumer<String> onErrorLine) {
      this.process = process;
      this.errors =
          Thread.ofVirtual().start(() -> BoundedLines.read(process.getErrorStream(), onErrorLine));
    }

    @Override
    public OutputStream stdin() {
      return process.getOutputStream();
    }

    @Override
    public InputStream stdout() {
      return process.getInputStream();
    }

    @Override
    public int waitFor() throws InterruptedException {
      // Java reports a process ended by a signal as 128 + its number, as sh does.
      int exit = process.waitFor();
      errors.join();
      return exit;
    }

    @Override
    public void cancel() {
      // SIGTERM, so the command stops at its own safe point; through the handle, as
      // Process.destroy() would also close the pipes we still read its last words from.
      process.toHandle().destroy();
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        // It has exited already.
      }
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        // Gone already.
      }
      try {
        process.getInputStream().close();
      } catch (IOException e) {
        // Gone already.
      }
    }
  }

  /** Hands each line of {@code stream} to {@code listener} until it ends. */
  private static String drain(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
