package dev.hoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.fleet.FleetNode;
import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import dev.hoist.node.Node;
import dev.hoist.node.Trace;
import dev.hoist.services.BundleException;
import dev.hoist.services.BundleSummary;
import dev.hoist.services.BundleVerifier;
import dev.hoist.services.DataRunner;
import dev.hoist.services.DataTransfer;
import dev.hoist.services.PgRestoreList;
import dev.hoist.services.RunnerLog;
import dev.hoist.services.TransferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hoist restore FILE|latest}: the app's data back from a bundle; {@code --cleanup}. */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restores the app's data (PostgreSQL, Redis, uploads) from a .hoistbak bundle onto its data",
      "node. The bundle's structure is checked here first (header, members, manifest), then it",
      "streams to the node, verified here on the way (every sha256, pg_restore --list) while the",
      "node restores it into new staging beside the live data. The node gets the manifest only if",
      "everything matched, checks it again, and only then swaps the data in while nginx answers",
      "503 with Retry-After; the command reports that window. A bundle that is not right is",
      "refused naming the part, the node drops its staging, the live data is untouched. The",
      "old data is kept (database <app_id>_old_<time>, directories .old-<time>) until",
      "'hoist restore --cleanup'. A failure or Ctrl-C before the swap leaves the live data as it",
      "was, and a rerun works.",
      "",
      "'hoist restore latest' restores the newest bundle kept on the data node (scheduled backups)."
    },
    footer = {
      "",
      "Examples:",
      "  hoist restore shop-20261203T060000Z.hoistbak --yes",
      "  hoist restore live.hoistbak --env stage --as shop-live --yes",
      "  hoist restore latest --env live --yes",
      "  hoist restore --cleanup --env live",
      "",
      "Exit code: 0 restored, 1 the restore failed (the live data untouched), 2 refused (a bundle",
      "that is not right, another app's, a target with data and no --yes), 3 the node could not be",
      "reached, 130 interrupted."
    })
final class RestoreCommand implements Callable<Integer> {
  private static final Duration CLEANUP_TIMEOUT = Duration.ofMinutes(10);

  @ParentCommand HoistCommand root;

  @Parameters(
      arity = "0..2",
      paramLabel = "FILE|latest [PROJECT]",
      description =
          "The bundle to restore, or 'latest' for the newest on the data node; then the project"
              + " directory (default: current directory). With --cleanup: only the project.")
  List<String> args = new ArrayList<>();

  @Mixin TargetOptions targetOptions;

  @Option(
      names = "--yes",
      description = "Replace data the app has now (it is kept aside until --cleanup).")
  boolean yes;

  @Option(
      names = "--as",
      paramLabel = "APP",
      description =
          "The bundle is APP's (another app's): restore it into this project's app anyway.")
  String asApp;

  @Option(
      names = "--cleanup",
      description = "Remove the old data earlier restores kept, and any leftover staging.")
  boolean cleanup;

  @Mixin OutputOptions json;

  /** The --json result of a restore. */
  record Result(
      boolean ok,
      String app,
      String node,
      Optional<String> file,
      Optional<String> bundleApp,
      double seconds,
      double windowSeconds,
      JsonNode runner) {}

  @Override
  public Integer call() throws CommandException, InterruptedException {
    if (cleanup ? args.size() > 1 : args.isEmpty()) {
      throw new CommandException(
          ExitCode.USAGE,
          cleanup
              ? "--cleanup takes only the project: hoist restore --cleanup [PROJECT] [--env E]"
              : "name the bundle to restore (or 'latest'): hoist restore FILE [PROJECT] [--env E]");
    }
    String project =
        cleanup ? (args.isEmpty() ? "." : args.get(0)) : args.size() > 1 ? args.get(1) : ".";
    Session s = Session.open(project, targetOptions, root.ssh);
    String app = s.spec().app();
    FleetNode dataNode = s.dataNode();
    if (cleanup) {
      return cleanup(s, app, dataNode);
    }
    boolean latest = args.get(0).equals("latest"); // a file of that name: ./latest
    Optional<Path> file = latest ? Optional.empty() : Optional.of(Path.of(args.get(0)));
    Optional<BundleSummary> checked = Optional.empty();
    if (file.isPresent()) {
      checked = Optional.of(checkFirst(file.get(), app));
      Trace.mark("bundle's structure checked here");
    }
    List<String> argv = DataRunner.restore(app, Optional.ofNullable(asApp), yes);
    if (latest) {
      argv = DataRunner.restoreLatest(app, Optional.ofNullable(asApp), yes);
    }
    Console console = root.console;
    Optional<AppNodes> elsewhere = AppNodes.ofSeparateDataNode(s, console);
    if (elsewhere.isPresent()) {
      argv = DataRunner.elsewhere(argv);
    }
    // The web nodes' flags go on only once the node staged everything: the window is the swap.
    DataTransfer transfer =
        new DataTransfer(
            new PgRestoreList(),
            elsewhere.<DataTransfer.BeforeSwap>map(a -> a::flagsOn).orElse(null));
    try (CtrlC ctrlC = new CtrlC(console, transfer::cancel);
        AppNodes apps = elsewhere.orElse(null)) {
      Node node = BackupCommand.connect(s, dataNode);
      try (InputStream in =
              file.isPresent() ? Files.newInputStream(file.get()) : InputStream.nullInputStream();
          TransferProgress progress =
              new TransferProgress(
                  console,
                  "restoring",
                  file.isPresent() ? OptionalLong.of(Files.size(file.get())) : OptionalLong.empty(),
                  json.json)) {
        DataTransfer.Listener listener = listener(progress, dataNode.name());
        JsonNode result =
            file.isPresent()
                ? transfer.restore(node, argv, in, listener)
                : transfer.restoreLatest(node, argv, listener);
        double seconds = progress.seconds();
        progress.close();
        double window = result.path("window_seconds").asDouble();
        if (apps != null) {
          apps.reloadAndFlagsOff();
          window = apps.window();
        }
        report(app, dataNode.name(), file, checked, result, seconds, window);
        return ExitCode.OK;
      } catch (TransferException e) {
        if (e.kind() == TransferException.Kind.BUNDLE && !ctrlC.fired()) {
          throw new CommandException(
              ExitCode.USAGE,
              file.orElseThrow() + ": " + e.getMessage() + "; refused, nothing was changed");
        }
        throw Transfers.failure(e, ctrlC);
      } catch (IOException e) {
        throw new CommandException(
            ExitCode.USAGE, "cannot read " + file.orElseThrow() + ": " + e.getMessage());
      } finally {
        Transfers.close(node);
      }
    }
  }

  /**
   * The bundle's structure checked here (header, members, manifest: a few reads, the content
   * skipped), and whose it is, before the node is touched; the checksums and the dump are checked
   * while it streams.
   */
  private BundleSummary checkFirst(Path file, String app)
      throws CommandException, InterruptedException {
    BundleSummary summary;
    if (!Files.isRegularFile(file)) {
      throw new CommandException(ExitCode.USAGE, file + ": no such file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      summary = new BundleVerifier(new PgRestoreList(), part -> {}).skim(in);
    } catch (IOException e) {
      throw new CommandException(ExitCode.USAGE, "cannot read " + file + ": " + e.getMessage());
    } catch (BundleException e) {
      throw new CommandException(
          ExitCode.USAGE, file + ": " + e.getMessage() + "; refused, nothing was changed");
    }
    String whose = summary.header().app();
    if (asApp != null && !asApp.equals(whose)) {
      throw new CommandException(
          ExitCode.USAGE,
          file
              + " is a bundle of app "
              + whose
              + ", not of "
              + asApp
              + " (--as); nothing was changed");
    }
    if (asApp == null && !whose.equals(app)) {
      throw new CommandException(
          ExitCode.USAGE,
          file
              + " is a bundle of app "
              + whose
              + ", not of "
              + app
              + "; to restore "
              + whose
              + "'s data into "
              + app
              + ", add --as "
              + whose
              + " (nothing was changed)");
    }
    if (!json.json) {
      root.console.progress(
          "checked "
              + file
              + " ("
              + TransferProgress.mb(summary.bytes())
              + ", "
              + summary.parts().size()
              + " parts, made "
              + summary.header().created()
              + ")");
    }
    return summary;
  }

  private static DataTransfer.Listener listener(TransferProgress progress, String node) {
    DataTransfer.Listener bytes = BackupCommand.listener(progress);
    return new DataTransfer.Listener() {
      @Override
      public void bytes(long total) {
        bytes.bytes(total);
      }

      @Override
      public void part(String name) {
        progress.part(name);
      }

      @Override
      public void progress(String part, long count) {
        if (part.equals("verified")) {
          Trace.mark(node + " verified the bundle");
          progress.note(
              node + " verified the bundle; swapping the data in (nginx answers 503) ...");
        }
      }

      @Override
      public void warning(String message) {
        bytes.warning(message);
      }
    };
  }

  private void report(
      String app,
      String node,
      Optional<Path> file,
      Optional<BundleSummary> checked,
      JsonNode result,
      double seconds,
      double window) {
    Console console = root.console;
    if (json.json) {
      console.json(
          new Result(
              true,
              app,
              node,
              file.map(Path::toString),
              checked.map(v -> v.header().app()),
              seconds,
              window,
              result));
      return;
    }
    console.line(
        console.green("restored")
            + String.format(
                Locale.ROOT,
                " %s on %s from %s in %.1fs; the 503 window was %.2fs",
                app,
                node,
                file.map(Path::toString).orElse("its newest local bundle"),
                seconds,
                window));
    List<String> kept = new ArrayList<>();
    result.path("kept").properties().forEach(e -> kept.add(e.getValue().asText()));
    if (!kept.isEmpty()) {
      console.line(
          "old data kept: "
              + String.join(", ", kept)
              + console.dim("  ('hoist restore --cleanup' removes it)"));
    }
  }

  private int cleanup(Session s, String app, FleetNode dataNode)
      throws CommandException, InterruptedException {
    Node node = BackupCommand.connect(s, dataNode);
    try {
      RunnerLog log = new RunnerLog(dataNode.name(), new RunnerLog.Listener() {});
      ExecResult r = node.exec(ExecRequest.of(DataRunner.cleanup(app), CLEANUP_TIMEOUT));
      r.stderr().lines().forEach(log);
      if (!r.ok() || !log.ok()) {
        throw new CommandException(
            r.exitCode() == 2 ? ExitCode.USAGE : ExitCode.FAILED, log.error(r.exitCode()));
      }
      JsonNode result = log.result().orElseThrow();
      if (json.json) {
        root.console.json(result);
      } else {
        List<String> removed = new ArrayList<>();
        result.path("removed").forEach(n -> removed.add(n.asText()));
        root.console.line(
            removed.isEmpty()
                ? "nothing to remove on " + dataNode.name()
                : "removed on " + dataNode.name() + ": " + String.join(", ", removed));
      }
      return ExitCode.OK;
    } catch (IOException e) {
      throw new CommandException(ExitCode.NODE, e.getMessage());
    } finally {
      Transfers.close(node);
    }
  }
}
