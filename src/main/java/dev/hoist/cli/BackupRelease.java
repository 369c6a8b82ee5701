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
import dev.hoist.stack.CopySource;
import java.io.IOException;
import java.util.Optional;

/**
 * After a deploy that dropped {@code backup.to} (or {@code backup:}) or moved it to another node:
 * the node that backup.json named before (its probe read it, before the deploy rewrote it) no
 * longer takes this app's copies from the data node, and the data node's key and user go with its
 * last app. The copies already there stay. backup.json is the data node's word, so it is only acted
 * on where the admin's side vouches for it: the node must be of the inventory and still have the
 * host key the file names, and only this data node's own account there (named from its verified
 * host key) and lines holding its key are touched. docs/backups.md "Copies to another node".
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
                    + " (its key and user there go with the node's last app there); the copies"
                    + " already in "
                    + b.path()
                    + " stay");
  }

  /**
   * Runs it after the deploy, even one that failed: once the data node's probe read backup.json,
   * the user asked for the target to go, and a failed deploy may have rewritten the file already
   * (then no later probe would name the old target). {@code key}: the data node's copy key, as the
   * deploy heard it. Returns the deploy's exit code, or FAILED when the deploy worked and this did
   * not.
   */
  static int run(
      int deployExit,
      Session s,
      Optional<BackupConfig.Configured> before,
      Optional<String> key,
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
    TargetLayout.Account account;
    try {
      account = TargetLayout.account(dataNode, DataNodeIdentity.of(s, s.dataNode()));
    } catch (CommandException e) {
      // Without the data node's host key, hoist cannot tell which user there is this node's.
      console.warn(
          e.getMessage()
              + "; nothing was done on "
              + old.node()
              + ", where "
              + app
              + " copied before: remove "
              + dataNode
              + "'s user hoist-bk-"
              + dataNode
              + "-… there by hand as root once no other app of "
              + dataNode
              + " copies there");
      return failed(deployExit);
    }
    Inventory inventory = s.fullInventory();
    NodeSpec node = inventory.nodes().get(old.node());
    if (node == null) {
      console.warn(
          "backup copies: "
              + old.node()
              + " (where "
              + app
              + " copied before, as "
              + dataNode
              + "'s backup.json says) is no longer in your inventory, so nothing was done there"
              + byHand(dataNode, account));
      return failed(deployExit);
    }
    try (SshNode target = s.sshNode(inventory, node)) {
      String hostKey = target.hostKey().openSsh();
      if (!hostKey.equals(old.hostKey())) {
        console.warn(
            "backup copies: "
                + dataNode
                + "'s backup.json says "
                + app
                + " copied to "
                + old.node()
                + ", but with another host key than "
                + old.node()
                + " has in your known_hosts, so nothing was done there; if "
                + old.node()
                + " took "
                + dataNode
                + "'s copies,"
                + byHand(dataNode, account).substring(1));
        return failed(deployExit);
      }
      BackupTarget.Report report =
          new BackupTarget(Session.engine(target))
              .release(new CopySource(dataNode, account, key), app);
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
              + byHand(dataNode, account));
      return failed(deployExit);
    }
  }

  /** What to remove on the old target by hand, as root. */
  private static String byHand(String dataNode, TargetLayout.Account account) {
    return "; remove it there by hand as root: the line ending '"
        + BackupTargetStack.mark(dataNode)
        + "' in "
        + account.authorizedKeys()
        + " (or "
        + BackupTargetChanges.LEGACY_KEYS
        + "), and the user "
        + account.user()
        + " once no other app of "
        + dataNode
        + " copies there";
  }

  private static int failed(int deployExit) {
    return deployExit == ExitCode.OK ? ExitCode.FAILED : deployExit;
  }
}
