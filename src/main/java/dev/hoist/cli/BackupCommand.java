package dev.hoist.cli;

import dev.hoist.services.BundleException;
import dev.hoist.services.BundleSummary;
import dev.hoist.services.BundleVerifier;
import dev.hoist.services.Counted;
import dev.hoist.services.PgRestoreList;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hoist backup}: the app's data as one verified bundle; {@code backup verify FILE}. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    subcommands = {BackupCommand.Verify.class, BackupDrillCommand.class},
    description = {
      "Backs up the app's data (PostgreSQL, Redis, uploads) as one .hoistbak bundle.",
      "'hoist backup verify FILE' checks a bundle here: every part's sha256 against its manifest,",
      "and that pg_restore --list reads the dump. docs/backups.md has the format."
    })
final class BackupCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Override
  public Integer call() throws CommandException {
    throw new CommandException(
        ExitCode.USAGE,
        "streaming a backup from the data node is not built yet; 'hoist backup verify FILE'"
            + " checks a bundle");
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
