package dev.hoist.stack;

import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.FileAbsent;
import dev.hoist.engine.FileResource;
import dev.hoist.engine.RootJobAbsent;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.BackupSpec;
import dev.hoist.project.Spec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Scheduled backups on the data node ({@code backup:} in hoist.yml): backup.json for the data
 * runner and Hoist's root job {@code hoist-backup}, which runs {@code hoist-data scheduled --app
 * APP} on the schedule through the node's own scheduler (a systemd timer, or hoist-cron's loop
 * under runit). Without {@code backup:} the job is removed. docs/backups.md.
 */
final class BackupResources {
  static final String JOB = "backup";
  private static final Attributes PRIVATE_FILE = Attributes.of("root", "root", "0600");
  private static final Attributes ROOT_DIR = Attributes.of("root", "root", "0755");
  // A scheduled run backs up, verifies, copies and drills; a big database takes hours.
  private static final Duration TIMEOUT = Duration.ofHours(12);
  // Where the runner writes (the systemd unit's only writable paths besides the job's state).
  private static final List<String> WRITABLE = List.of("/var/backups/hoist", "/var/lib/hoist/data");

  private final Templates templates;
  private final Supervisor supervisor;

  BackupResources(Templates templates, Supervisor supervisor) {
    this.templates = templates;
    this.supervisor = supervisor;
  }

  /** Adds the schedule (or its removal) after {@code ready}, the services it backs up. */
  void add(Catalog.Builder c, Spec spec, AppLayout layout, List<String> ready) {
    add(c, spec, layout, ready, "service:nginx");
  }

  /**
   * As above, after {@code last}: the stack's last service (nginx's on a web node; none on a db
   * node of its own, where {@code ready} ends with the services).
   */
  void add(Catalog.Builder c, Spec spec, AppLayout layout, List<String> ready, String... last) {
    String app = spec.app();
    Optional<BackupSpec> backup = spec.backup();
    if (backup.isEmpty()) {
      c.add(
          new RootJobAbsent(
              app,
              CronResources.ROOT_JOB_PREFIX + JOB,
              layout.cronConfigDir(),
              layout.cronStateDir()));
      // Gone with the schedule, so a later deploy never takes its old target for a current one.
      c.add(FileAbsent.of(BackupConfig.path(app), "backup: is no longer in hoist.yml"));
      return;
    }
    String config = BackupConfig.path(app);
    // The systemd unit may write only these: one missing when a run starts stays read-only there,
    // so the runner could never make it (every run on a fresh systemd node failed).
    RunnerConfig.dir(c, "/var/lib/hoist", ROOT_DIR);
    RunnerConfig.dir(c, WRITABLE.get(0), ROOT_DIR);
    RunnerConfig.dir(c, WRITABLE.get(1), ROOT_DIR, "dir:/var/lib/hoist");
    c.add(
            FileResource.of(
                config, BackupConfig.render(app, backup.get(), target(backup.get())), PRIVATE_FILE))
        .requires("dir:" + layout.servicesDir())
        .requires(WRITABLE.stream().map(d -> "dir:" + d).toArray(String[]::new));
    if (backup.get().to().isPresent()) {
      c.add(BackupKey.resource()).requires("file:" + AppLayout.DATA_RUNNER);
    }
    CronResources.Job job =
        CronResources.rootJob(
            app,
            JOB,
            backup.get().schedule(),
            List.of(AppLayout.DATA_RUNNER, "scheduled", "--app", app),
            TIMEOUT,
            WRITABLE);
    String[] after = ready.toArray(String[]::new);
    // After nginx's service, the stack's last: see CronResources.add.
    new CronResources(templates, supervisor)
        .add(
            c, job, concat(concat(after, "file:" + config, "file:" + AppLayout.DATA_RUNNER), last));
  }

  /** Where copies go, once a deploy has filled in how the data node reaches the target. */
  private static Optional<BackupConfig.Target> target(BackupSpec backup) {
    return backup
        .to()
        .flatMap(
            t ->
                t.address()
                    .map(
                        a ->
                            new BackupConfig.Target(
                                t.node(), a.host(), a.port(), a.hostKey(), a.user(), a.path())));
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
