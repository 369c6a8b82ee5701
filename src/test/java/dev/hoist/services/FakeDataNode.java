package dev.hoist.services;

import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import dev.hoist.node.Node;
import dev.hoist.node.StreamingCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A node whose streamed commands are Java scripts on threads, joined to the caller by pipes. */
final class FakeDataNode implements Node {
  /** What the node does with a command: its exit code (a broken pipe counts as SIGPIPE, 141). */
  @FunctionalInterface
  interface Script {
    int run(Run run) throws Exception;
  }

  /** One running command as the script sees it. */
  record Run(
      List<String> argv,
      InputStream in,
      OutputStream out,
      Consumer<String> err,
      AtomicBoolean terminated) {
    void event(String json) {
      err.accept(json);
    }
  }

  private final String name;
  private final Script script;
  final List<List<String>> commands = new CopyOnWriteArrayList<>();
  final AtomicBoolean cancelled = new AtomicBoolean();

  FakeDataNode(String name, Script script) {
    this.name = name;
    this.script = script;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ExecResult exec(ExecRequest request) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int interactive(List<String> argv, boolean tty) {
    throw new UnsupportedOperationException();
  }

  @Override
  public StreamingCommand stream(List<String> argv, Consumer<String> onErrorLine)
      throws IOException {
    commands.add(argv);
    PipedOutputStream stdin = new PipedOutputStream();
    PipedInputStream scriptIn = new PipedInputStream(stdin, 1 << 16);
    PipedInputStream stdout = new PipedInputStream(1 << 16);
    PipedOutputStream scriptOut = new PipedOutputStream(stdout);
    AtomicBoolean terminated = new AtomicBoolean();
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              int code;
              try {
                code = script.run(new Run(argv, scriptIn, scriptOut, onErrorLine, terminated));
              } catch (IOException e) {
                code = 141;
              } catch (Exception e) {
                code = 255;
              }
              try {
                scriptOut.close();
                scriptIn.close();
              } catch (IOException e) {
                // Gone already.
              }
              exit.complete(code);
            });
    return new StreamingCommand() {
      @Override
      public OutputStream stdin() {
        return stdin;
      }

      @Override
      public InputStream stdout() {
        return stdout;
      }

      @Override
      public int waitFor() throws IOException, InterruptedException {
        try {
          return exit.get();
        } catch (ExecutionException e) {
          throw new IOException(e);
        }
      }

      @Override
      public void cancel() {
        cancelled.set(true);
        terminated.set(true);
        try {
          stdin.close();
        } catch (IOException e) {
          // Closed already.
        }
      }

      @Override
      public void close() {
        try {
          stdout.close();
          stdin.close();
        } catch (IOException e) {
          // Closed already.
        }
      }
    };
  }
}
