package dev.hoist.services;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.node.Node;
import dev.hoist.node.StreamingCommand;
import dev.hoist.node.Trace;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Moves bundles between this machine and data nodes through the data runner, streaming: a backup
 * verified as it arrives, a restore fed from a file verified as it goes, a migration piped from one
 * node's backup into another's restore. {@link #cancel()} (Ctrl-C, from any thread) cuts the
 * streams: the runners stop at their safe points and keep the live data.
 */
public final class DataTransfer {
  /** Progress of a transfer: its own (bytes moved, the part) and the runners'. */
  public interface Listener extends BundleVerifier.Listener, RunnerLog.Listener {
    /** Bytes of the bundle moved so far. */
    void bytes(long total);
  }

  /** A migration's result: what crossed and the restore's report. */
  public record Migration(BundleSummary bundle, JsonNode restore) {}

  /**
   * What the caller does once the restoring node holds everything staged and verified, just before
   * it swaps: the web nodes' maintenance flags, when the data is on a node of its own (the runner's
   * {@code --wait-go}, {@link DataRunner#elsewhere}), so their 503 window is the swap and the
   * reload only, not the bundle's transfer. A failure here is no go: the node drops its staging.
   */
  public interface BeforeSwap {
    void run() throws IOException, InterruptedException;
  }

  private static final byte[] GO = "go\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final DumpLister dumps;
  private final List<StreamingCommand> running = new CopyOnWriteArrayList<>();
  private final BeforeSwap beforeSwap;
  private volatile boolean cancelled;

  /** Restores swap as soon as they verified. */
  public DataTransfer(DumpLister dumps) {
    this(dumps, null);
  }

  /**
   * Restores wait for {@code beforeSwap} (their argv from {@link DataRunner#elsewhere}); null: they
   * swap as soon as they verified.
   */
  public DataTransfer(DumpLister dumps, BeforeSwap beforeSwap) {
    this.dumps = dumps;
    this.beforeSwap = beforeSwap;
  }

  /** Cuts every stream of this transfer: SIGTERM and EOF to the runners. Idempotent. */
  public void cancel() {
    cancelled = true;
    running.forEach(StreamingCommand::cancel);
  }

  /**
   * Streams {@code app}'s bundle from {@code node} into {@code out}, verifying it on the way (the
   * manifest reaches {@code out} only when everything matched).
   */
  public BundleSummary backup(Node node, String app, OutputStream out, Listener listener)
      throws TransferException, InterruptedException {
    RunnerLog log = new RunnerLog(node.name(), listener);
    Local local = new Local(out);
    try (StreamingCommand backup = start(node, DataRunner.backup(app), log)) {
      BundleSummary summary;
      try {
        backup.stdin().close();
        summary =
            new BundleVerifier(dumps, listener)
                .copy(new Counted(backup.stdout(), listener::bytes), local);
        Trace.mark(node.name() + " bundle received and verified");
      } catch (BundleException | IOException e) {
        stop(backup);
        int exit = exit(node, backup);
        if (cancelled) {
          throw interrupted();
        }
        if (local.failed != null) {
          throw new TransferException(
              TransferException.Kind.FAILED,
              "cannot write the bundle here: " + local.failed.getMessage());
        }
        if (exit != 0 || !(e instanceof BundleException)) {
          throw runner(log, exit);
        }
        throw new TransferException(
            TransferException.Kind.BUNDLE,
            node.name() + " sent a bundle that is not right: " + e.getMessage());
      }
      int exit = exit(node, backup);
      Trace.mark(node.name() + " backup runner exited");
      if (exit != 0) {
        throw runner(log, exit);
      }
      return summary;
    }
  }

  /**
   * Streams {@code bundle} into {@code argv}, a restore on {@code node}, verifying it in passing as
   * a backup is: the restore gets the manifest (and so swaps) only once every part matched here,
   * else it gets the end of its input without one and drops its staging. The runner's result
   * (window_seconds, kept) when it worked.
   *
   * @throws TransferException BUNDLE (naming the part) when the bundle is not right; the node then
   *     dropped what it had staged and its live data is untouched
   */
  public JsonNode restore(Node node, List<String> argv, InputStream bundle, Listener listener)
      throws TransferException, InterruptedException {
    Staged staged = new Staged(listener);
    RunnerLog log = new RunnerLog(node.name(), staged);
    try (StreamingCommand restore = start(node, argv, log)) {
      Thread drain = drain(restore, staged);
      Local toRestore = new Local(restore.stdin());
      Exception failure = null;
      IOException noGo = null;
      try {
        new BundleVerifier(dumps, listener).copy(new Counted(bundle, listener::bytes), toRestore);
        noGo = endInput(toRestore, staged);
      } catch (BundleException | IOException e) {
        failure = e;
        // Without the manifest the restore drops its staging.
        restore.cancel();
      }
      Trace.mark(node.name() + " bundle sent");
      int exit = exit(node, restore);
      Trace.mark(node.name() + " restore runner exited");
      drain.join();
      if (cancelled) {
        throw interrupted();
      }
      if (noGo != null) {
        throw noGo(node, noGo);
      }
      if (failure == null || toRestore.failed != null) {
        // Done, or the runner stopped reading (it refused, or failed): its result says why.
        if (exit != 0 || !log.ok()) {
          throw runner(log, exit);
        }
        if (failure == null) {
          return log.result().orElseThrow();
        }
        throw new TransferException(
            TransferException.Kind.NODE,
            node.name() + " stopped reading the bundle: " + failure.getMessage());
      }
      if (failure instanceof BundleException) {
        throw new TransferException(
            TransferException.Kind.BUNDLE,
            failure.getMessage() + "; " + node.name() + " dropped what it had staged");
      }
      throw new TransferException(
          TransferException.Kind.FAILED, "cannot read the bundle here: " + failure.getMessage());
    }
  }

  /**
   * {@code argv}, a restore on {@code node} of a bundle the node has ({@code --latest}); the
   * runner's result when it worked.
   */
  public JsonNode restoreLatest(Node node, List<String> argv, Listener listener)
      throws TransferException, InterruptedException {
    Staged staged = new Staged(listener);
    RunnerLog log = new RunnerLog(node.name(), staged);
    try (StreamingCommand restore = start(node, argv, log)) {
      Thread drain = drain(restore, staged);
      IOException noGo = null;
      try {
        noGo = endInput(new Local(restore.stdin()), staged);
      } catch (IOException e) {
        // It exited already: its result says why.
      }
      int exit = exit(node, restore);
      drain.join();
      if (cancelled) {
        throw interrupted();
      }
      if (noGo != null) {
        throw noGo(node, noGo);
      }
      if (exit != 0 || !log.ok()) {
        throw runner(log, exit);
      }
      return log.result().orElseThrow();
    }
  }

  /**
   * One streamed backup of {@code app} on {@code from} piped into {@code restoreArgv} on {@code
   * to}, verified in passing; the restore gets the manifest (and so swaps) only if it verified.
   */
  public Migration migrate(
      Node from, String app, Node to, List<String> restoreArgv, Listener listener)
      throws TransferException, InterruptedException {
    RunnerLog backupLog = new RunnerLog(from.name(), listener);
    // The restore's byte counts would only repeat the backup's: its warnings still show.
    Staged staged =
        new Staged(
            new RunnerLog.Listener() {
              @Override
              public void warning(String message) {
                listener.warning(to.name() + ": " + message);
              }
            });
    RunnerLog restoreLog = new RunnerLog(to.name(), staged);
    try (StreamingCommand backup = start(from, DataRunner.backup(app), backupLog);
        StreamingCommand restore = start(to, restoreArgv, restoreLog)) {
      Thread drain = drain(restore, staged);
      Local toRestore = new Local(restore.stdin());
      BundleSummary summary = null;
      Exception failure = null;
      IOException noGo = null;
      try {
        backup.stdin().close();
        summary =
            new BundleVerifier(dumps, listener)
                .copy(new Counted(backup.stdout(), listener::bytes), toRestore);
        noGo = endInput(toRestore, staged);
      } catch (BundleException | IOException e) {
        failure = e;
        // Without the manifest the restore drops its staging; the backup has no one to write to.
        stop(backup);
        restore.cancel();
      }
      int backupExit = exit(from, backup);
      int restoreExit = exit(to, restore);
      drain.join();
      if (cancelled) {
        throw interrupted();
      }
      if (noGo != null) {
        throw noGo(to, noGo);
      }
      if (failure == null) {
        if (restoreExit != 0 || !restoreLog.ok()) {
          throw runner(restoreLog, restoreExit);
        }
        return new Migration(summary, restoreLog.result().orElseThrow());
      }
      if (toRestore.failed != null) {
        // The restore refused or failed first; the backup was cut because of it.
        throw runner(restoreLog, restoreExit);
      }
      if (backupExit != 0) {
        throw runner(backupLog, backupExit);
      }
      if (failure instanceof BundleException) {
        throw new TransferException(
            TransferException.Kind.BUNDLE,
            from.name() + " sent a bundle that is not right: " + failure.getMessage());
      }
      throw new TransferException(
          TransferException.Kind.NODE,
          "lost the stream from " + from.name() + ": " + failure.getMessage());
    }
  }

  private StreamingCommand start(Node node, List<String> argv, RunnerLog log)
      throws TransferException, InterruptedException {
    if (cancelled) {
      throw interrupted();
    }
    try {
      StreamingCommand command = node.stream(argv, log);
      Trace.mark(node.name() + " runner started");
      running.add(command);
      if (cancelled) {
        command.cancel();
      }
      return command;
    } catch (IOException e) {
      throw new TransferException(TransferException.Kind.NODE, e.getMessage());
    }
  }

  private int exit(Node node, StreamingCommand command)
      throws TransferException, InterruptedException {
    try {
      return command.waitFor();
    } catch (IOException e) {
      if (cancelled) {
        throw interrupted();
      }
      throw new TransferException(
          TransferException.Kind.NODE,
          e.getMessage().startsWith(node.name())
              ? e.getMessage()
              : node.name() + ": " + e.getMessage());
    }
  }

  /**
   * Cancels a backup whose output is no longer wanted, and drops what it still writes, so it is
   * never stuck writing to a pipe nobody reads.
   */
  private static void stop(StreamingCommand backup) {
    backup.cancel();
    drain(backup);
  }

  /** The runner's stdout, read and dropped on a thread (a restore writes nothing there). */
  private static Thread drain(StreamingCommand command) {
    return drain(command, null);
  }

  /** As {@link #drain(StreamingCommand)}; its end (the runner exited) tells {@code staged}. */
  private static Thread drain(StreamingCommand command, Staged staged) {
    return Thread.ofVirtual()
        .start(
            () -> {
              try {
                command.stdout().transferTo(OutputStream.nullOutputStream());
              } catch (IOException e) {
                // Closed under us: the exit says why.
              } finally {
                if (staged != null) {
                  staged.exited();
                }
              }
            });
  }

  /**
   * Ends a restore's input: at once, or (with {@link BeforeSwap}) once the node staged and verified
   * everything and the hook ran, with go. The hook's failure, when it failed: no go was sent.
   */
  private IOException endInput(Local toRestore, Staged staged)
      throws IOException, InterruptedException {
    try (toRestore) {
      if (beforeSwap == null) {
        return null;
      }
      toRestore.flush();
      if (!staged.await()) {
        return null; // It exited without staging: its result says why.
      }
      Trace.mark("the node staged everything; before the swap");
      try {
        beforeSwap.run();
      } catch (IOException e) {
        return e;
      }
      toRestore.write(GO, 0, GO.length);
      return null;
    }
  }

  private static TransferException noGo(Node node, IOException e) {
    return new TransferException(
        TransferException.Kind.NODE,
        e.getMessage() + "; nothing was restored (" + node.name() + " dropped what it had staged)");
  }

  /**
   * Passes the runner's events on and notes its "verified": everything is staged and it waits for
   * go; or that it exited without it.
   */
  private static final class Staged implements RunnerLog.Listener {
    private final RunnerLog.Listener listener;
    private final java.util.concurrent.CompletableFuture<Boolean> staged =
        new java.util.concurrent.CompletableFuture<>();

    Staged(RunnerLog.Listener listener) {
      this.listener = listener;
    }

    @Override
    public void progress(String part, long bytes) {
      if (part.equals("verified")) {
        staged.complete(true);
      }
      listener.progress(part, bytes);
    }

    @Override
    public void warning(String message) {
      listener.warning(message);
    }

    void exited() {
      staged.complete(false);
    }

    boolean await() throws InterruptedException {
      try {
        return staged.get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static TransferException runner(RunnerLog log, int exit) {
    return new TransferException(
        exit == 2 ? TransferException.Kind.REFUSED : TransferException.Kind.FAILED,
        log.error(exit));
  }

  private static TransferException interrupted() {
    return new TransferException(
        TransferException.Kind.INTERRUPTED,
        "interrupted: the stream was cut; the node kept its live data");
  }

  /** Remembers a failure to write, so a full local disk is not blamed on the node. */
  private static final class Local extends FilterOutputStream {
    IOException failed;

    Local(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        failed = e;
        throw e;
      }
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void flush() throws IOException {
      try {
        out.flush();
      } catch (IOException e) {
        failed = e;
        throw e;
      }
    }
  }
}
