package dev.hoist.cli;

import dev.hoist.fleet.FleetNode;
import dev.hoist.node.Node;
import dev.hoist.node.Trace;
import dev.hoist.services.BundleException;
import dev.hoist.services.BundleSummary;
import dev.hoist.services.BundleVerifier;
import dev.hoist.services.Counted;
import dev.hoist.services.DataTransfer;
import dev.hoist.services.PgRestoreList;
import dev.hoist.services.TransferException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hoist backup}: the app's data as one verified bundle; {@code backup verify FILE}. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    subcommands = {BackupCommand.Verify.class, BackupDrillCommand.class},
    description = {
      "Backs up the app's data (PostgreSQL, Redis, uploads) from its data node (the environment's",
      "db node, else its web node; this machine without --env/--node) as one .hoistbak bundle,",
      "streamed here over SSH: nothing is copied to the node's disk. The bundle is checked as it",
      "arrives (every part's sha256 against the manifest, pg_restore --list reads the dump) and",
      "written to FILE.partial, renamed to FILE only when complete and verified; on any failure the",
      "partial file is deleted and the command exits non-zero with the node's error.",
      "",
      "'hoist backup verify FILE' checks a bundle here; 'hoist backup drill' restores the newest",
      "bundle on the node into a scratch database and checks it. docs/backups.md has the format."
    },
    footer = {
      "",
      "Examples:",
      "  hoist backup                          this machine; ./<app>-<UTC time>.hoistbak",
      "  hoist backup --env live -o live.hoistbak",
      "  hoist backup verify live.hoistbak",
      "",
      "Exit code: 0 written and verified, 1 the backup failed (nothing left behind), 2 bad input,",
      "3 the node could not be reached, 130 interrupted."
    })
final class BackupCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "Write the bundle here (a directory: a file named as by default in it; default:"
              + " <app>-<UTC yyyymmddThhmmssZ>.hoistbak in the current directory).")
  Path output;

  @Mixin OutputOptions json;

  /** The --json result of a backup. */
  record Result(
      boolean ok,
      String file,
      String app,
      String node,
      long bytes,
      double seconds,
      java.util.List<dev.hoist.services.BundleSummary.Part> parts,
      String dump) {}

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Session s = Session.open(projectArg.path, targetOptions, root.ssh);
    String app = s.spec().app();
    FleetNode dataNode = s.dataNode();
    Path file = target(app);
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Console console = root.console;
    DataTransfer transfer = new DataTransfer(new PgRestoreList());
    try (CtrlC ctrlC = new CtrlC(console, transfer::cancel)) {
      Node node = connect(s, dataNode);
      try (OutputStream out = create(partial);
          TransferProgress progress =
              new TransferProgress(console, "backing up", OptionalLong.empty(), json.json)) {
        BundleSummary summary = transfer.backup(node, app, out, listener(progress));
        finish(out, partial, file);
        Trace.mark("bundle synced and renamed");
        double seconds = progress.seconds();
        progress.close();
        report(file, dataNode.name(), summary, seconds);
        return ExitCode.OK;
      } catch (TransferException e) {
        delete(partial);
        throw Transfers.failure(e, ctrlC);
      } catch (IOException e) {
        delete(partial);
        throw new CommandException(
            ExitCode.FAILED, "cannot write " + partial + ": " + e.getMessage());
      } finally {
        Transfers.close(node);
      }
    }
  }

  /** The file to write: -o (or a default name in the directory it names, or in the cwd). */
  private Path target(String app) throws CommandException {
    String name =
        app
            + "-"
            + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now())
            + ".hoistbak";
    Path file =
        output == null ? Path.of(name) : Files.isDirectory(output) ? output.resolve(name) : output;
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new CommandException(
          ExitCode.USAGE, file + " exists already; name another file with -o, or move it away");
    }
    return file;
  }

  /** A new file only the user can read: a bundle holds the app's whole data. */
  private static OutputStream create(Path partial) throws CommandException {
    try {
      Files.deleteIfExists(partial); // a killed earlier run's leftover
      return new java.io.BufferedOutputStream(
          Files.newOutputStream(
              Files.createFile(
                  partial,
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------"))),
              StandardOpenOption.WRITE),
          1 << 16);
    } catch (IOException e) {
      throw new CommandException(
          ExitCode.USAGE, "cannot create " + partial + ": " + e.getMessage());
    }
  }

  /** Flushes and syncs the verified bundle, then gives it its name. */
  private static void finish(OutputStream out, Path partial, Path file) throws IOException {
    out.flush();
    try (java.nio.channels.FileChannel channel =
        java.nio.channels.FileChannel.open(partial, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void delete(Path partial) {
    try {
      Files.deleteIfExists(partial);
    } catch (IOException e) {
      // Reported by the caller's error; a leftover .partial is never taken for a bundle.
    }
  }

  private void report(Path file, String node, BundleSummary summary, double seconds) {
    Console console = root.console;
    if (json.json) {
      console.json(
          new Result(
              true,
              file.toString(),
              summary.header().app(),
              node,
              summary.bytes(),
              seconds,
              summary.parts(),
              summary.dump()));
      return;
    }
    new BundleView(console).show(file.toString(), summary);
    console.line(
        console.green("backed up and verified")
            + String.format(
                java.util.Locale.ROOT,
                ": %s from %s in %.1fs (%.1f MB/s)",
                TransferProgress.mb(summary.bytes()),
                node,
                seconds,
                summary.bytes() / 1e6 / Math.max(seconds, 1e-3)));
  }

  static Node connect(Session s, FleetNode node) throws CommandException, InterruptedException {
    try {
      return s.connect(node);
    } catch (IOException e) {
      throw new CommandException(ExitCode.NODE, e.getMessage());
    }
  }

  static DataTransfer.Listener listener(TransferProgress progress) {
    return new DataTransfer.Listener() {
      @Override
      public void bytes(long total) {
        progress.bytes(total);
      }

      @Override
      public void part(String name) {
        Trace.mark("part " + name);
        progress.part(name);
      }

      @Override
      public void warning(String message) {
        progress.note("warning: " + message);
      }
    };
  }

  /** {@code hoist backup verify FILE}: checks a bundle on this machine. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Checks a .hoistbak bundle on this machine, reading it once: only the expected members, in",
        "order, within their size bounds; each part's size and sha256 against the manifest, which",
        "must come last and say the bundle is complete; pg_restore --list reads the dump (when",
        "pg_restore is installed here). Nothing is sent anywhere.",
        "",
        "Exit code: 0 verified, 1 the bundle is not right (the message names the part), 2 no such",
        "file."
      })
  static final class Verify implements Callable<Integer> {
    @ParentCommand BackupCommand backup;

    @Parameters(index = "0", paramLabel = "FILE", description = "The bundle (.hoistbak).")
    Path file;

    @Mixin OutputOptions output;

    @Override
    public Integer call() throws CommandException, InterruptedException {
      Console console = backup.root.console;
      try {
        BundleSummary s = verify(console, file, output.json);
        if (output.json) {
          console.json(BundleView.json(file.toString(), s));
        } else {
          new BundleView(console).show(file.toString(), s);
          console.line(console.green("verified") + " (" + TransferProgress.mb(s.bytes()) + ")");
        }
        return ExitCode.OK;
      } catch (BundleException e) {
        if (output.json) {
          console.json(BundleView.refused(file.toString(), e));
          return ExitCode.FAILED;
        }
        throw new CommandException(ExitCode.FAILED, file + ": " + e.getMessage());
      }
    }
  }

  /**
   * Reads and checks the bundle {@code file} with a progress line (none with {@code quiet}).
   *
   * @throws CommandException USAGE when it cannot be read
   */
  static BundleSummary verify(Console console, Path file, boolean quiet)
      throws CommandException, BundleException, InterruptedException {
    if (!Files.isRegularFile(file)) {
      throw new CommandException(ExitCode.USAGE, file + ": no such file");
    }
    try (InputStream in = Files.newInputStream(file);
        TransferProgress progress =
            new TransferProgress(console, "verifying", OptionalLong.of(Files.size(file)), quiet)) {
      return new BundleVerifier(new PgRestoreList(), progress::part)
          .copy(new Counted(in, progress::bytes), OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new CommandException(ExitCode.USAGE, "cannot read " + file + ": " + e.getMessage());
    }
  }
}
