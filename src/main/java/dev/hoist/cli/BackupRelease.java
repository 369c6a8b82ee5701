package dev.hoist.cli;

import dev.hoist.project.BackupSpec;
import dev.hoist.project.Inventory;
import dev.hoist.project.NodeSpec;
import dev.hoist.project.TargetLayout;
import dev.hoist.services.BackupTarget;
import dev.hoist.ssh.SshNode;
import dev.hoist.stack.BackupConfig;
import dev.hoist.stack.BackupTargetChanges;
import dev.hoist.stack.BackupTargetStack;
import java.io.IOException;
import java.util.Optional;

/**
 * After a deploy that dropped {@code backup.to} (or {@code backup:}) or moved it to another node:
 * the node that backup.json named before (its probe read it, before the deploy rewrote it) no
 * longer takes this app's copies from the data node, and the data node's key and user go with its
 * last app. The copies already there stay. docs/backups.md "Copies to another node".
 */
final class BackupRelease {
  private BackupRelease() {}

  /**
   * The target to take this app's copies away from: the one {@code before} named, unless the spec
   * still copies there.
   */
  static Optional<BackupConfig.Configured> stale(
      Optional<BackupConfig.Configured> before, Optional<BackupSpec.Target> wanted) {
    return before.filter(b -> wanted.isEmpty() || !wanted.get().node().equals(b.node()));
  }

  /** What the plan says about it, or nothing. */
  static Optional<String> planned(
      Optional<BackupConfig.Configured> before,
      Optional<BackupSpec.Target> wanted,
      String dataNode) {
    return stale(before, wanted)
        .map(
            b ->
                "backup copies: after the deploy, "
                    + b.node()
                    + " stops taking this app's copies from "
                    + dataNode
                    + " (its key and user "
                    + TargetLayout.user(dataNode)
                    + " go with the node's last app there); the copies already in "
                    + b.path()
                    + " stay");
  }

  /**
   * Runs it after the deploy, even one that failed: once the data node's probe read backup.json,
   * the user asked for the target to go, and a failed deploy may have rewritten the file already
   * (then no later probe would name the old target). Returns the deploy's exit code, or FAILED when
   * the deploy worked and this did not.
   */
  static int run(
      int deployExit,
      Session s,
      Optional<BackupConfig.Configured> before,
      Console console,
      boolean quiet)
      throws CommandException, InterruptedException {
    Optional<BackupConfig.Configured> stale =
        stale(before, s.spec().backup().flatMap(BackupSpec::to));
    if (stale.isEmpty()) {
      return deployExit;
    }
    BackupConfig.Configured old = stale.get();
    String dataNode = s.dataNode().name();
    String app = s.spec().app();
    String byHand =
        "; remove it there by hand as root: the line ending '"
            + BackupTargetStack.mark(dataNode)
            + "' in "
            + BackupTargetStack.authorizedKeys(dataNode)
            + " (or "
            + BackupTargetChanges.LEGACY_KEYS
            + "), and the user "
            + TargetLayout.user(dataNode)
            + " once no other app of "
            + dataNode
            + " copies there";
    Inventory inventory = s.fullInventory();
    NodeSpec node = inventory.nodes().get(old.node());
    if (node == null) {
      console.warn(
          "backup copies: "
              + old.node()
              + " (where "
              + app
              + " copied before) is no longer in your inventory, so "
              + dataNode
              + "'s key stays there"
              + byHand);
      return failed(deployExit);
    }
    try (SshNode target = s.sshNode(inventory, node)) {
      target.connect();
      BackupTarget.Report report = new BackupTarget(Session.engine(target)).release(dataNode, app);
      if (!quiet) {
        BackupCopies.show(
            "backup copies: "
                + old.node()
                + " no longer takes "
                + app
                + "'s copies from "
                + dataNode
                + "; the copies already in "
                + old.path()
                + " stay",
            report,
            console);
      }
      return deployExit;
    } catch (IOException | BackupTarget.Failed e) {
      console.warn(
          "backup copies: taking "
              + app
              + "'s copies away from "
              + old.node()
              + " failed: "
              + e.getMessage()
              + byHand);
      return failed(deployExit);
    }
  }

  private static int failed(int deployExit) {
    return deployExit == ExitCode.OK ? ExitCode.FAILED : deployExit;
  }
}
