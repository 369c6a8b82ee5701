package dev.hoist.cli;

import dev.hoist.fleet.FleetNode;
import dev.hoist.project.BackupSpec;
import dev.hoist.project.Inventory;
import dev.hoist.project.NodeSpec;
import dev.hoist.project.TargetLayout;
import dev.hoist.services.BackupTarget;
import dev.hoist.ssh.SshNode;
import dev.hoist.stack.CopySource;
import java.io.IOException;
import java.util.Optional;

/**
 * {@code backup.to} in a deploy. Before it: the target node is reached with the same verified SSH
 * as any node, and the host key that connection verified is what the data node will pin; a target
 * that is the data node itself, or cannot be reached, is refused before anything changes. After the
 * app's deploy: the target step lets the data node's key (carried back by the deploy) write copies
 * there, and nothing else. docs/backups.md "Copies to another node".
 */
final class BackupCopies implements AutoCloseable {
  private final BackupSpec.Target to;
  private final FleetNode dataNode;
  private final TargetLayout.Account account;
  private final SshNode target;
  private final Session session;

  private BackupCopies(
      BackupSpec.Target to,
      FleetNode dataNode,
      TargetLayout.Account account,
      SshNode target,
      Session session) {
    this.to = to;
    this.dataNode = dataNode;
    this.account = account;
    this.target = target;
    this.session = session;
  }

  /**
   * Empty without {@code backup.to}; else connected to the target, with {@link #session()} holding
   * the spec whose backup.json names it.
   */
  static Optional<BackupCopies> open(Session s) throws CommandException, InterruptedException {
    Optional<BackupSpec> backup = s.spec().backup();
    Optional<BackupSpec.Target> wanted = backup.flatMap(BackupSpec::to);
    if (wanted.isEmpty()) {
      return Optional.empty();
    }
    BackupSpec.Target to = wanted.get();
    FleetNode dataNode = s.dataNode();
    Inventory inventory = s.fullInventory();
    NodeSpec node = inventory.nodes().get(to.node());
    if (node == null) {
      throw new CommandException(
          ExitCode.USAGE,
          where(to) + "backup.to.node: no node named '" + to.node() + "'; declare it under nodes:");
    }
    boolean sameAddress =
        !s.local()
            && node.host().equals(dataNode.spec().host())
            && node.port() == dataNode.spec().port();
    if (to.node().equals(dataNode.name()) || sameAddress) {
      throw new CommandException(
          ExitCode.USAGE,
          where(to)
              + "backup.to.node: '"
              + to.node()
              + "' is the data node itself; copies must go to another node (a copy on the same"
              + " node is lost with it)");
    }
    TargetLayout.Account account =
        TargetLayout.account(dataNode.name(), DataNodeIdentity.of(s, dataNode));
    SshNode target = s.sshNode(inventory, node);
    try {
      target.connect();
      String hostKey = target.hostKey().openSsh();
      BackupSpec.Address at =
          new BackupSpec.Address(
              node.host(),
              node.port(),
              hostKey,
              account.user(),
              to.directory(s.spec().app(), account));
      Session resolved =
          s.withSpec(s.spec().withBackup(Optional.of(backup.get().withTargetAt(at))));
      return Optional.of(new BackupCopies(to, dataNode, account, target, resolved));
    } catch (IOException e) {
      target.close();
      throw new CommandException(
          ExitCode.NODE,
          "backup.to: cannot reach the copy target '"
              + to.node()
              + "': "
              + e.getMessage()
              + "; nothing was deployed (fix the node or remove 'to:' from hoist.yml)");
    }
  }

  private static String where(BackupSpec.Target to) {
    return to.file() + ":" + to.line() + ":" + to.column() + ": ";
  }

  /** The session whose spec names the target's address and host key. */
  Session session() {
    return session;
  }

  /**
   * The target step, after a deploy that exited {@code deployExit} and heard the data node's key
   * {@code key}: the deploy's exit code when it failed (the target is left alone), else this
   * step's.
   */
  int finish(int deployExit, Optional<String> key, Console console, boolean quiet)
      throws CommandException, InterruptedException {
    if (deployExit != ExitCode.OK) {
      return deployExit;
    }
    if (key.isEmpty()) {
      throw new CommandException(
          ExitCode.FAILED,
          "backup.to: the data node "
              + dataNode.name()
              + " did not report its key ("
              + dev.hoist.stack.BackupConfig.KEY
              + ".pub); the app is deployed, copies are not set up: deploy again");
    }
    String app = session.spec().app();
    String directory = to.directory(app, account);
    try {
      BackupTarget.Report report =
          new BackupTarget(Session.engine(target))
              .converge(new CopySource(dataNode.name(), account, key), app, directory);
      if (!quiet) {
        show(
            "backup copies: " + to.node() + ":" + directory + " ready for " + dataNode.name(),
            report,
            console);
      }
      return ExitCode.OK;
    } catch (BackupTarget.Failed e) {
      throw new CommandException(
          ExitCode.FAILED,
          "backup.to: "
              + e.getMessage()
              + "; the app is deployed and its bundles stay on "
              + dataNode.name()
              + " (scheduled copies fail until this is fixed): deploy again");
    }
  }

  /** {@code head}, what the target step cost, then one line per change it made. */
  static void show(String head, BackupTarget.Report report, Console console) {
    console.line(
        head
            + " ("
            + report.changes().size()
            + " changed, "
            + report.roundTrips()
            + (report.roundTrips() == 1 ? " round trip)" : " round trips)"));
    report.changes().forEach(c -> console.line("  " + c));
  }

  @Override
  public void close() {
    target.close();
  }
}
