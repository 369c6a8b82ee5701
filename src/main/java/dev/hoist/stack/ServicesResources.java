package dev.hoist.stack;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.AgentOp;
import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.ExecResource;
import dev.hoist.engine.FileAbsent;
import dev.hoist.engine.FileResource;
import dev.hoist.engine.PackageResource;
import dev.hoist.engine.ServiceResource;
import dev.hoist.engine.ServiceResource.Refresh;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.DataPlacement;
import dev.hoist.project.ServicesSpec;
import dev.hoist.project.Spec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The app's backing services on its data node (here: its web node): Debian's PostgreSQL 15 and
 * Redis, supervised by hoist; the services runner, which makes the passwords on the node and the
 * role, database, ACL and env file from them; the uploads directory. docs/services.md.
 */
final class ServicesResources {
  static final String POSTGRES_PACKAGE = "postgresql-15";
  static final String REDIS_PACKAGE = "redis-server";

  /**
   * PostgreSQL under runit: the server itself in the foreground (pg_ctlcluster forks it away, so
   * runit could not see it die); under systemd: Debian's own unit for the cluster.
   */
  static final String POSTGRES_RUNIT = "hoist-postgresql";

  static final String POSTGRES_SYSTEMD = "postgresql@15-main";
  static final String POSTGRES_CONF = "/etc/postgresql/15/main/conf.d/hoist.conf";

  private static final String DATA_RUNNER_SOURCE = "/dev/hoist/services/hoist-data.py";
  private static final Attributes ROOT_DIR = Attributes.of("root", "root", "0755");
  private static final Attributes ROOT_FILE = Attributes.of("root", "root", "0644");
  private static final Attributes PRIVATE_FILE = Attributes.of("root", "root", "0600");
  private static final Attributes SCRIPT = Attributes.of("root", "root", "0755");

  /**
   * What the rest of the stack needs: the resources the app starts after, and the one that writes
   * the app's services env file (a change reloads the app).
   */
  record Added(List<String> ready, String envWriter) {}

  private final Templates templates;
  private final Supervisor supervisor;

  ServicesResources(Templates templates, Supervisor supervisor) {
    this.templates = templates;
    this.supervisor = supervisor;
  }

  /** Values the site, gunicorn and with-env templates see when the app has no services. */
  static Map<String, Object> context(Spec spec) {
    AppLayout layout = new AppLayout(spec.app());
    Map<String, Object> ctx = new LinkedHashMap<>();
    ServicesSpec s = spec.services();
    ctx.put("services_env", s.any() ? layout.servicesEnvFile() : "");
    ctx.put("maintenance_flag", s.any() ? layout.maintenanceFlag() : "");
    ctx.put("uploads_url", s.files().map(ServicesSpec.Files::url).orElse(""));
    ctx.put("uploads_dir", s.files().isPresent() ? layout.uploadsDir() : "");
    ctx.put("max_body_size", s.files().map(ServicesSpec.Files::maxSize).orElse("20m"));
    return ctx;
  }

  Added add(Catalog.Builder c, Spec spec, AppLayout layout) {
    return add(c, spec, layout, DataAccess.local());
  }

  /**
   * {@code access}: who reaches the services; on a separate db node ({@link DataAccess#remote()})
   * there is no app user or app directory, and the env file stays beside the credentials for the
   * deploy to carry to the app nodes.
   */
  Added add(Catalog.Builder c, Spec spec, AppLayout layout, DataAccess access) {
    ServicesSpec s = spec.services();
    String app = spec.app();
    RunnerConfig.dir(c, "/etc/hoist", ROOT_DIR);
    RunnerConfig.dir(c, "/etc/hoist/services", ROOT_DIR, "dir:/etc/hoist");
    RunnerConfig.dir(c, "/etc/hoist/maintenance", ROOT_DIR, "dir:/etc/hoist");
    RunnerConfig.dir(c, layout.servicesDir(), ROOT_DIR, "dir:/etc/hoist/services");
    RunnerConfig.dir(c, "/usr/local/lib/hoist", ROOT_DIR);
    c.add(
            new FileResource(
                AppLayout.SERVICES_RUNNER,
                resource("/dev/hoist/services/hoist-services.py").orElseThrow(),
                SCRIPT,
                List.of(),
                false))
        .requires("dir:/usr/local/lib/hoist");
    // Shipped once the backup runner is part of hoist's jar (docs/services.md).
    Optional<byte[]> dataRunner = resource(DATA_RUNNER_SOURCE);
    if (dataRunner.isPresent()) {
      c.add(new FileResource(AppLayout.DATA_RUNNER, dataRunner.get(), SCRIPT, List.of(), false))
          .requires("dir:/usr/local/lib/hoist");
    }
    String config = layout.servicesDir() + "/services.json";
    c.add(FileResource.of(config, servicesJson(spec, layout, access), PRIVATE_FILE))
        .requires("dir:" + layout.servicesDir());

    List<String> packages = new ArrayList<>();
    s.postgres().ifPresent(p -> packages.add(POSTGRES_PACKAGE));
    s.redis().ifPresent(r -> packages.add(REDIS_PACKAGE));
    for (String name : packages) {
      if (!c.has("package:" + name)) {
        c.add(new PackageResource(name, Optional.empty()));
      }
    }
    String prepare = "exec:services-prepare-" + app;
    c.add(runner("services-prepare-" + app, "prepare", config))
        .requires("file:" + AppLayout.SERVICES_RUNNER, "file:" + config)
        .requires(
            access.remote() ? new String[0] : new String[] {"user:" + app, "dir:" + layout.etc()})
        .requires(packages.stream().map(p -> "package:" + p).toArray(String[]::new));
    c.notify("file:" + config, prepare);

    Map<String, Object> ctx = new LinkedHashMap<>(context(spec));
    ctx.put("app", app);
    ctx.put("listen_addresses", access.postgresListen());
    ctx.put("redis_bind", access.redisBind());
    // Every service's files first: the agent enables (links) all services before it starts the
    // first one, so their directories must be complete by then.
    List<ServiceResource> daemons = new ArrayList<>();
    Map<String, List<String>> files = new LinkedHashMap<>();
    if (s.postgres().isPresent()) {
      ServiceResource pg = postgresService();
      files.put(pg.id(), postgresFiles(c, ctx));
      daemons.add(pg);
    }
    if (s.redis().isPresent()) {
      ctx.put("redis_port", DataPlacement.redisPort(spec));
      ServiceResource redis =
          new ServiceResource(
              layout.redisService(), supervisor, Refresh.RESTART, Duration.ofSeconds(30));
      files.put(redis.id(), redisFiles(c, layout, ctx));
      daemons.add(redis);
    }
    for (ServiceResource daemon : daemons) {
      List<String> own = files.get(daemon.id());
      c.add(daemon).requires(own.toArray(String[]::new)).requires(prepare);
      for (String f : own) {
        c.restart(f, daemon.id());
      }
    }
    String provision = "exec:services-provision-" + app;
    c.add(runner("services-provision-" + app, "provision", config))
        .requires(prepare)
        .requires(daemons.stream().map(ServiceResource::id).toArray(String[]::new));
    c.notify("file:" + config, provision);
    if (s.files().isPresent()) {
      // Written by the app, read by nginx (group www-data, setgid so new files keep the group).
      c.add(new DirectoryResource(layout.uploadsDir(), Attributes.of(app, "www-data", "2750")))
          .requires("dir:" + layout.shared(), "user:" + app, "package:nginx");
    }
    if (s.redis().isEmpty()) {
      // Dropped from services: its instance stops; its data waits for a purge.
      c.add(redisGone(layout, "redis is no longer in services:")).requires(prepare);
    }
    List<String> ready = new ArrayList<>(List.of(provision, "dir:/etc/hoist/maintenance"));
    if (s.files().isPresent()) {
      ready.add("dir:" + layout.uploadsDir());
    }
    return new Added(ready, prepare);
  }

  /**
   * {@code services:} left hoist.yml: while the app's services.json is there, its Redis stops,
   * services.json is rewritten with no service and the runner's {@code prepare} takes the app's
   * variables out of its env file and its lines out of pg_hba.conf; then services.json goes. The
   * data stays: the database and role, Redis's data dir, the uploads (docs/services.md). {@code
   * dbNode}: on a db node of its own, where the env file is {@link #exportedEnvFile} (no app user).
   */
  static void retire(Catalog.Builder c, Spec spec, AppLayout layout, boolean dbNode) {
    String config = layout.servicesDir() + "/services.json";
    ObjectNode none = RunnerConfig.object();
    none.put("app", spec.app());
    none.put("app_id", DataPlacement.appId(spec.app()));
    none.put("user", spec.app());
    if (dbNode) {
      none.put("env_file", exportedEnvFile(layout));
      none.put("env_group", "root");
    } else {
      none.put("env_file", layout.servicesEnvFile());
    }
    c.add(
        new FileAbsent(
            config,
            "stop serving the app's backing services",
            "services: is no longer in hoist.yml; "
                + kept(spec, layout)
                + " ('hoist services purge' deletes them once you no longer need them)",
            List.of(
                new AgentOp.ServiceRemove(layout.redisService()),
                new AgentOp.FileWrite(
                    config,
                    RunnerConfig.text(none).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    PRIVATE_FILE,
                    List.of()),
                new AgentOp.Exec(
                    List.of(
                        "/usr/bin/python3", "-I", AppLayout.SERVICES_RUNNER, "prepare", config)))));
  }

  private static FileAbsent redisGone(AppLayout layout, String why) {
    return new FileAbsent(
        layout.servicesDir() + "/redis.conf",
        "stop the app's Redis " + layout.redisService(),
        why
            + "; its data stays in "
            + layout.redisDir()
            + " ('hoist services purge redis' deletes it once you no longer need it)",
        List.of(new AgentOp.ServiceRemove(layout.redisService())));
  }

  /** What the app's data is, as a plan says it stays. */
  private static String kept(Spec spec, AppLayout layout) {
    String id = DataPlacement.appId(spec.app());
    return "the data stays: the database "
        + id
        + " and its role, Redis's "
        + layout.redisDir()
        + " and the uploads in "
        + layout.uploadsDir()
        + ", where they exist";
  }

  private ServiceResource postgresService() {
    String name = supervisor == Supervisor.RUNIT ? POSTGRES_RUNIT : POSTGRES_SYSTEMD;
    return new ServiceResource(name, supervisor, Refresh.RESTART, Duration.ofSeconds(60));
  }

  /** PostgreSQL's settings and (under runit) its service directory; returns their ids. */
  private List<String> postgresFiles(Catalog.Builder c, Map<String, Object> ctx) {
    String pkg = "package:" + POSTGRES_PACKAGE;
    c.add(
            FileResource.of(
                POSTGRES_CONF,
                templates.render(
                    "postgresql.conf.j2", Map.of("listen_addresses", ctx.get("listen_addresses"))),
                ROOT_FILE))
        .requires(pkg);
    List<String> files = new ArrayList<>(List.of("file:" + POSTGRES_CONF));
    if (supervisor == Supervisor.RUNIT) {
      files.addAll(runitFiles(c, POSTGRES_RUNIT, "postgresql", Map.of(), pkg));
      String control = "/etc/sv/" + POSTGRES_RUNIT + "/control/t";
      c.add(
              FileResource.of(
                  control, templates.render("runit-postgresql.control-t.j2", Map.of()), SCRIPT))
          .requires("package:runit");
      files.add("file:" + control);
    }
    return files;
  }

  /** The app's own Redis: its data dir, config and service files; returns the ids to restart on. */
  private List<String> redisFiles(Catalog.Builder c, AppLayout layout, Map<String, Object> ctx) {
    String pkg = "package:" + REDIS_PACKAGE;
    Map<String, Object> rctx = new LinkedHashMap<>(ctx);
    rctx.put("redis_dir", layout.redisDir());
    rctx.put("redis_conf", layout.servicesDir() + "/redis.conf");
    rctx.put("acl_file", layout.servicesDir() + "/redis.acl");
    rctx.put("supervised", supervisor == Supervisor.SYSTEMD ? "systemd" : "no");
    rctx.put("service", layout.redisService());
    RunnerConfig.dir(c, "/var/lib/hoist", ROOT_DIR);
    RunnerConfig.dir(c, "/var/lib/hoist/redis", ROOT_DIR, "dir:/var/lib/hoist");
    c.add(new DirectoryResource(layout.redisDir(), Attributes.of("redis", "redis", "0750")))
        .requires("dir:/var/lib/hoist/redis", pkg);
    String conf = layout.servicesDir() + "/redis.conf";
    c.add(
            FileResource.of(
                conf,
                templates.render("redis.conf.j2", rctx),
                Attributes.of("root", "redis", "0640")))
        .requires("dir:" + layout.servicesDir(), pkg);
    List<String> files = new ArrayList<>(List.of("file:" + conf));
    String name = layout.redisService();
    if (supervisor == Supervisor.SYSTEMD) {
      String unit = "/etc/systemd/system/" + name + ".service";
      c.add(FileResource.of(unit, templates.render("systemd-redis.service.j2", rctx), ROOT_FILE));
      files.add("file:" + unit);
    } else {
      files.addAll(runitFiles(c, name, "redis", rctx, pkg));
    }
    // Redis cannot start without its data dir.
    files.add("dir:" + layout.redisDir());
    return files;
  }

  /** A runit service's run script and its logger into /var/log/hoist/NAME. */
  private List<String> runitFiles(
      Catalog.Builder c, String name, String kind, Map<String, Object> ctx, String pkg) {
    String logDir = "/var/log/hoist/" + name;
    RunnerConfig.dir(c, "/var/log/hoist", ROOT_DIR);
    RunnerConfig.dir(c, logDir, ROOT_DIR, "dir:/var/log/hoist");
    Map<String, Object> logCtx = new LinkedHashMap<>(ctx);
    logCtx.put("log_dir", logDir);
    String run = "/etc/sv/" + name + "/run";
    String log = "/etc/sv/" + name + "/log/run";
    c.add(FileResource.of(run, templates.render("runit-" + kind + ".run.j2", ctx), SCRIPT))
        .requires("package:runit", pkg);
    c.add(FileResource.of(log, templates.render("runit-log.run.j2", logCtx), SCRIPT))
        .requires("package:runit", "dir:" + logDir);
    return List.of("file:" + run, "file:" + log);
  }

  /**
   * The runner, as a resource: it runs when its own check fails (a probe runs the check) or when
   * the services config changed. Started through python3 so a probe before the runner is installed
   * sees a failed check, not a missing program.
   */
  private static ExecResource runner(String name, String command, String config) {
    List<String> run =
        List.of("/usr/bin/python3", "-I", AppLayout.SERVICES_RUNNER, command, config);
    List<String> check = new ArrayList<>(run);
    check.add("--check");
    return new ExecResource(
        name, run, Optional.empty(), Optional.empty(), Optional.empty(), check, false);
  }

  /** The runner's config: names, addresses and paths, never a password. */
  static String servicesJson(Spec spec, AppLayout layout) {
    return servicesJson(spec, layout, DataAccess.local());
  }

  /**
   * As above, for {@code access}. On a db node of its own the env file is {@link #exportedEnvFile}
   * (root 0600): no app user lives there, and the deploy reads it for the app nodes.
   */
  static String servicesJson(Spec spec, AppLayout layout, DataAccess access) {
    ObjectNode root = RunnerConfig.object();
    ServicesSpec s = spec.services();
    root.put("app", spec.app());
    root.put("app_id", DataPlacement.appId(spec.app()));
    root.put("user", spec.app());
    if (access.remote()) {
      root.put("env_file", exportedEnvFile(layout));
      root.put("env_group", "root");
    } else {
      root.put("env_file", layout.servicesEnvFile());
    }
    if (s.postgres().isPresent()) {
      ObjectNode pg = root.putObject("postgres");
      pg.put("host", access.urlHost());
      pg.put("port", 5432);
      ArrayNode ext = pg.putArray("extensions");
      s.postgres().get().extensions().forEach(ext::add);
      ArrayNode clients = pg.putArray("clients");
      access.hbaAddresses().forEach(clients::add);
    }
    if (s.redis().isPresent()) {
      ObjectNode redis = root.putObject("redis");
      redis.put("host", access.urlHost());
      redis.put("port", DataPlacement.redisPort(spec));
      redis.put("socket", layout.redisSocket());
    }
    if (s.files().isPresent()) {
      ObjectNode files = root.putObject("files");
      files.put("dir", layout.uploadsDir());
      files.put("url", s.files().get().url());
    }
    return RunnerConfig.text(root);
  }

  /** On a separate db node: the app's env file the deploy reads and carries to the app nodes. */
  static String exportedEnvFile(AppLayout layout) {
    return layout.servicesDir() + "/app.env";
  }

  private static Optional<byte[]> resource(String name) {
    try (InputStream in = ServicesResources.class.getResourceAsStream(name)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
