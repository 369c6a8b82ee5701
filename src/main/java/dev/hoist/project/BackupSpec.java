package dev.hoist.project;

import java.util.Optional;

/**
 * Scheduled backups ({@code backup:}): the data node writes a bundle on {@code schedule}, keeps the
 * newest {@code keep}, copies each to {@code to} (another node of the inventory, over SFTP) and,
 * with {@code drill}, restores it into a scratch database and runs {@code drillCheck}.
 */
public record BackupSpec(
    CronSchedule schedule,
    int keep,
    Optional<Target> to,
    boolean drill,
    Optional<DrillCheck> drillCheck) {
  public static final int DEFAULT_KEEP = 14;
  public static final String DEFAULT_SCHEDULE = "daily";

  /**
   * An off-node copy: directory {@code path} (default: {@link #directory}) on node {@code node};
   * {@code file}, {@code line} and {@code column} are where hoist.yml names the node, so an unknown
   * node can be pointed at. {@code address}: how the data node reaches it, filled in by a deploy
   * from the inventory and the host key its own SSH connection verified (hoist.yml has no such
   * key).
   */
  public record Target(
      String node,
      Optional<String> path,
      String file,
      int line,
      int column,
      Optional<Address> address) {
    public Target(String node, Optional<String> path, String file, int line, int column) {
      this(node, path, file, line, column, Optional.empty());
    }

    /**
     * The directory on the target node: the given path, else one per app in the home of the data
     * node's own {@code account} there.
     */
    public String directory(String app, TargetLayout.Account account) {
      return path.orElse(account.home() + "/" + app);
    }

    /** This target, reached at {@code at}. */
    public Target at(Address at) {
      return new Target(node, path, file, line, column, Optional.of(at));
    }
  }

  /**
   * A target node's SSH address, its host key ("ssh-ed25519 AAAA..."), and the user and directory
   * the data node writes its copies as and into.
   */
  public record Address(String host, int port, String hostKey, String user, String path) {}

  /** This spec with its target reached at {@code at}. */
  public BackupSpec withTargetAt(Address at) {
    return new BackupSpec(schedule, keep, to.map(t -> t.at(at)), drill, drillCheck);
  }

  /** What a drill runs against the restored scratch database. */
  public sealed interface DrillCheck {
    /** A command run as the app user in the app's environment, DATABASE_URL = the scratch db. */
    record Command(String text) implements DrillCheck {}

    /** A query run as the app's role in the scratch database; it fails when the query does. */
    record Sql(String query) implements DrillCheck {}
  }
}
