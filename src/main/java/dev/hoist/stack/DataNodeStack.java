package dev.hoist.stack;

import dev.hoist.engine.Catalog;
import dev.hoist.engine.PackageResource;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.Spec;
import java.util.List;
import java.util.Optional;

/**
 * What a {@code db} node of its own holds for an app: PostgreSQL 15, the app's Redis, the services
 * and data runners and the backup schedule, listening where its app nodes reach it ({@link
 * DataAccess}); no app user, code, gunicorn or nginx. The app's env file stays here, root's, for
 * the deploy to carry to the app nodes ({@link #envFile}). docs/services.md.
 */
public final class DataNodeStack {
  private final Templates templates;
  private final Supervisor supervisor;

  public DataNodeStack(Templates templates, Supervisor supervisor) {
    this.templates = templates;
    this.supervisor = supervisor;
  }

  public Catalog build(Spec spec, DataAccess access) {
    if (!access.remote()) {
      throw new IllegalArgumentException("a db node of its own listens for its app nodes");
    }
    AppLayout layout = new AppLayout(spec.app());
    Catalog.Builder c = Catalog.builder();
    if (supervisor == Supervisor.RUNIT) {
      c.add(new PackageResource("runit", Optional.empty()));
    }
    ServicesResources.Added services =
        new ServicesResources(templates, supervisor).add(c, spec, layout, access);
    // No nginx here: the schedule comes after the services alone.
    new BackupResources(templates, supervisor)
        .add(c, spec, layout, services.ready(), new String[0]);
    return c.build();
  }

  /**
   * The db node once {@code services:} left hoist.yml: what an earlier deploy set up there stops
   * serving the app (its Redis, pg_hba lines, services.json, backup schedule); the data stays for
   * {@code hoist services purge}. Each part checks one path: nothing when it is gone already.
   */
  public Catalog retire(Spec spec) {
    AppLayout layout = new AppLayout(spec.app());
    Catalog.Builder c = Catalog.builder();
    ServicesResources.retire(c, spec, layout, true);
    new BackupResources(templates, supervisor).add(c, spec, layout, List.of(), new String[0]);
    return c.build();
  }

  /** The app's env file on the db node (root 0600), in the secrets file format. */
  public static String envFile(String app) {
    return ServicesResources.exportedEnvFile(new AppLayout(app));
  }
}
