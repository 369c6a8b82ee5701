package dev.hoist.project;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated {@code hoist.yml}: everything Hoist needs to know about one app.
 *
 * <p>Maps keep the order of the file. Paths inside the project are relative strings with forward
 * slashes, already checked to stay inside {@link #projectDir()}. {@code tls} says how HTTPS is
 * served (by the node that ends TLS: nginx, or HAProxy on the balancer). {@link #inventory()} holds
 * only the nodes and environments this file declares; {@link UserConfig} adds the user's own.
 * {@link #include()} lists glob patterns of files to ship beyond those git tracks. {@link
 * #services()}: the backing services provisioned for the app on its data node. {@link #cron()}
 * holds the scheduled jobs, in file order. {@link #backup()}: scheduled backups of the services'
 * data, if asked for. {@link #build()}: commands run in a clean copy before packaging.
 */
public record Spec(
    Path projectDir,
    Path file,
    String app,
    WsgiEntry wsgi,
    Optional<String> requirements,
    Optional<String> wheelhouse,
    Workers workers,
    String domain,
    List<String> aliases,
    Map<String, String> statics,
    Map<String, String> env,
    List<String> shared,
    List<PackageRef> packages,
    Map<String, ProcessSpec> processes,
    Map<String, String> templates,
    ReleaseSpec release,
    HealthSpec health,
    RolloutSpec rollout,
    TlsSpec tls,
    Inventory inventory,
    SupervisorChoice supervisor,
    List<String> include,
    ServicesSpec services,
    Map<String, CronJob> cron,
    Optional<BackupSpec> backup,
    BuildSpec build) {

  public Spec {
    include = List.copyOf(include);
  }

  /** This spec with {@code newBackup} (a deploy fills in where copies go). */
  public Spec withBackup(Optional<BackupSpec> newBackup) {
    return copy(projectDir, newBackup);
  }

  /**
   * This spec shipping the files of {@code tree}, the output of {@link #build()} run in a copy of
   * the project; {@link #file()} still names the user's hoist.yml, for messages.
   */
  public Spec builtIn(Path tree) {
    return copy(tree, backup);
  }

  // The one place that copies every field: a new field is added here and in the record only.
  private Spec copy(Path newProjectDir, Optional<BackupSpec> newBackup) {
    return new Spec(
        newProjectDir,
        file,
        app,
        wsgi,
        requirements,
        wheelhouse,
        workers,
        domain,
        aliases,
        statics,
        env,
        shared,
        packages,
        processes,
        templates,
        release,
        health,
        rollout,
        tls,
        inventory,
        supervisor,
        include,
        services,
        cron,
        newBackup,
        build);
  }
}
