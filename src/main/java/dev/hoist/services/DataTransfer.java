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

  private final DumpLister dumps;
  private final List<StreamingCommand> running = new CopyOnWriteArrayList<>();
  private volatile boolean cancelled;

  public DataTransfer(DumpLister dumps) {
    this.dumps = dumps;
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
    RunnerLog log = new RunnerLog(node.name(), listener);
    try (StreamingCommand restore = start(node, argv, log)) {
      Thread drain = drain(restore);
      Local toRestore = new Local(restore.stdin());
      Exception failure = null;
      try {
        new BundleVerifier(dumps, listener).copy(new Counted(bundle, listener::bytes), toRestore);
        restore.stdin().close();
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
    RunnerLog log = new RunnerLog(node.name(), listener);
    try (StreamingCommand restore = start(node, argv, log)) {
      Thread drain = drain(restore);
      try {
        restore.stdin().close();
      } catch (IOException e) {
        // It exited already: its result says why.
      }
      int exit = exit(node, restore);
      drain.join();
      if (cancelled) {
        throw interrupted();
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
    RunnerLog restoreLog =
        new RunnerLog(
            to.name(),
            new RunnerLog.Listener() {
              @Override
              public void warning(String message) {
                listener.warning(to.name() + ": " + message);
              }
            });
    try (StreamingCommand backup = start(from, DataRunner.backup(app), backupLog);
        StreamingCommand restore = start(to, restoreArgv, restoreLog)) {
      Thread drain = drain(restore);
      Local toRestore = new Local(restore.stdin());
      BundleSummary summary = null;
      Exception failure = null;
      try {
        backup.stdin().close();
        summary =
            new BundleVerifier(dumps, listener)
                .copy(new Counted(backup.stdout(), listener::bytes), toRestore);
        restore.stdin().close();
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
    return Thread.ofVirtual()
        .start(
            () -> {
              try {
                command.stdout().transferTo(OutputStream.nullOutputStream());
              } catch (IOException e) {
                // Closed under us: the exit says why.
              }
            });
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
