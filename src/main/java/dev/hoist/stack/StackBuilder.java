package dev.hoist.stack;

import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.FileResource;
import dev.hoist.engine.GroupResource;
import dev.hoist.engine.PackageResource;
import dev.hoist.engine.ServiceResource;
import dev.hoist.engine.ServiceResource.Refresh;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.engine.UserResource;
import dev.hoist.project.PackageRef;
import dev.hoist.project.ProcessSpec;
import dev.hoist.project.ShellWords;
import dev.hoist.project.Spec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns a spec into the resources of its stack: packages, user, dirs, config files, services. */
public final class StackBuilder {
  /** What every app needs from Debian, besides the spec's own packages. */
  static final List<String> BASE_PACKAGES = List.of("nginx", "gunicorn", "python3-venv");

  private static final Attributes ROOT_DIR = Attributes.of("root", "root", "0755");
  private static final Attributes ROOT_FILE = Attributes.of("root", "root", "0644");
  private static final Attributes SCRIPT = Attributes.of("root", "root", "0755");
  private static final List<String> NGINX_TEST = List.of("nginx", "-t", "-q");

  private final Templates templates;
  private final Supervisor supervisor;
  private final Optional<ServicesEnv> remoteServices;

  public StackBuilder(Templates templates, Supervisor supervisor) {
    this(templates, supervisor, Optional.empty());
  }

  private StackBuilder(
      Templates templates, Supervisor supervisor, Optional<ServicesEnv> remoteServices) {
    this.templates = templates;
    this.supervisor = supervisor;
    this.remoteServices = remoteServices;
  }

  /**
   * A builder for app nodes whose services run on a separate db node: they get {@code env} (the env
   * file the db node made) instead of PostgreSQL and Redis of their own.
   */
  public StackBuilder withServicesFrom(Optional<ServicesEnv> env) {
    return new StackBuilder(templates, supervisor, env);
  }

  /** The stack of a node that ends TLS itself and holds no ACME certificate yet. */
  public Stack build(Spec spec) {
    return build(spec, Edge.direct(Optional.empty()), false);
  }

  /**
   * {@code edge}: whether the node ends TLS or sits behind balancers; {@code certOnNode}: the node
   * already holds the app's ACME certificate, so nginx serves HTTPS with it.
   */
  public Stack build(Spec spec, Edge edge, boolean certOnNode) {
    return build(spec, edge, certOnNode, CronPlacement.UNMANAGED);
  }

  /** As {@link #build(Spec, Edge, boolean)}; {@code cron}: whether the app's jobs run here. */
  public Stack build(Spec spec, Edge edge, boolean certOnNode, CronPlacement cron) {
    AppLayout layout = new AppLayout(spec.app());
    String app = spec.app();
    Map<String, Object> ctx = context(spec, layout);
    Catalog.Builder c = Catalog.builder();

    List<String> packages = new ArrayList<>(BASE_PACKAGES);
    if (supervisor == Supervisor.RUNIT) {
      packages.add("runit");
    }
    for (String name : packages) {
      if (spec.packages().stream().noneMatch(p -> p.name().equals(name))) {
        c.add(new PackageResource(name, Optional.empty()));
      }
    }
    for (PackageRef ref : spec.packages()) {
      c.add(new PackageResource(ref.name(), ref.version()));
    }
    c.add(new GroupResource(app));
    c.add(new UserResource(app, app, layout.root(), "/usr/sbin/nologin")).requires("group:" + app);
    c.add(new DirectoryResource(layout.root(), ROOT_DIR)).requires("user:" + app);
    // Root-owned: the app reads its code and config, never changes them (docs/security.md).
    c.add(new DirectoryResource(layout.releases(), ROOT_DIR)).requires("dir:" + layout.root());
    c.add(new DirectoryResource(layout.shared(), ROOT_DIR)).requires("dir:" + layout.root());
    c.add(new DirectoryResource(layout.etc(), ROOT_DIR)).requires("dir:" + layout.root());
    c.add(new DirectoryResource("/var/log/hoist", ROOT_DIR));
    c.add(new DirectoryResource(layout.logDir(), ROOT_DIR)).requires("dir:/var/log/hoist");

    ServiceResource appService =
        new ServiceResource(
            layout.service(), supervisor, Refresh.REPLACE_WORKERS, Duration.ofSeconds(30));
    List<ServiceResource> processes = new ArrayList<>();
    List<String> configIds = new ArrayList<>();
    c.add(FileResource.of(layout.withEnv(), templates.render("with-env.j2", ctx), SCRIPT))
        .requires("dir:" + layout.etc());
    configIds.addAll(unitFiles(c, layout.service(), "app", ctx, layout.logDir()));
    for (ProcessSpec process : spec.processes().values()) {
      Map<String, Object> pctx = new LinkedHashMap<>(ctx);
      pctx.put("name", process.name());
      pctx.put("command", ShellWords.join(process.command()));
      pctx.put("stop_timeout", process.stopTimeout().toSeconds());
      c.add(new DirectoryResource(layout.processLogDir(process.name()), ROOT_DIR))
          .requires("dir:/var/log/hoist");
      List<String> files =
          unitFiles(
              c,
              layout.processService(process.name()),
              "process",
              pctx,
              layout.processLogDir(process.name()));
      ServiceResource service =
          new ServiceResource(
              layout.processService(process.name()),
              supervisor,
              Refresh.RESTART,
              process.stopTimeout());
      processes.add(service);
      c.add(service).requires(files.toArray(String[]::new)).requires("file:" + layout.withEnv());
      for (String file : files) {
        c.notify(file, service.id());
      }
      c.notify("file:" + layout.withEnv(), service.id());
    }
    c.add(appService)
        .requires(configIds.toArray(String[]::new))
        .requires("dir:" + layout.releases());
    // The jobs' files come before nginx's service starts, and their services after it: every
    // service is enabled just before the first one starts, so all their files must be written by
    // then.
    if (cron != CronPlacement.UNMANAGED) {
      new CronResources(templates, supervisor)
          .addAppJobs(c, spec, cron == CronPlacement.HERE, "service:nginx");
    }
    for (String id : configIds) {
      // The env and gunicorn's config ship in the release (a switch reloads); a new run script or
      // unit needs a restart.
      c.restart(id, appService.id());
    }

    if (!spec.services().any()) {
      // No services (any more): what an earlier deploy provisioned here stops serving the app,
      // and a schedule left from then goes (each checks one path: nothing when there never was).
      ServicesResources.retire(c, spec, layout, false);
      new BackupResources(templates, supervisor).add(c, spec, layout, List.of());
    }
    ServiceResource nginx =
        new ServiceResource("nginx", supervisor, Refresh.RELOAD, Duration.ofSeconds(10));
    List<String> nginxFiles = new ArrayList<>();
    if (supervisor == Supervisor.RUNIT) {
      c.add(
              FileResource.of(
                  "/etc/sv/nginx/run", templates.render("runit-nginx.run.j2", ctx), SCRIPT))
          .requires("package:nginx");
      nginxFiles.add("file:/etc/sv/nginx/run");
    }
    List<String> tlsIds = List.of();
    ctx.putAll(TlsResources.context(spec));
    ctx.put("balancers", edge.balancers());
    ctx.put("balancer_only", edge.balancerOnly());
    // Behind a balancer, HAProxy ends TLS; the web node serves HTTP to it.
    if (!edge.behindBalancer()) {
      TlsResources.Served tls =
          new TlsResources(templates, supervisor)
              .add(c, spec, edge.files(), certOnNode, reloadNginx(), false, "service:nginx");
      ctx.putAll(tls.context());
      tlsIds = tls.requires();
    }
    c.add(
            FileResource.of(
                    layout.nginxSite(), templates.render("nginx-site.conf.j2", ctx), ROOT_FILE)
                .validatedBy(NGINX_TEST))
        .requires("package:nginx")
        .requires(tlsIds.toArray(String[]::new));
    nginxFiles.add("file:" + layout.nginxSite());
    c.add(nginx).requires(nginxFiles.toArray(String[]::new)).requires(appService.id());
    for (String id : nginxFiles) {
      c.notify(id, nginx.id());
    }
    if (spec.services().any() && remoteServices.isPresent()) {
      List<String> ready = RemoteServicesResources.add(c, layout, remoteServices.get());
      c.requireFor(appService.id(), ready.toArray(String[]::new));
      // New passwords or the db node's address reach the app's workers with a graceful reload.
      c.notify(ready.getFirst(), appService.id());
    } else if (spec.services().any()) {
      // Added last: the agent links every service in before it starts the first one (PostgreSQL
      // here), so every other service's files must come earlier in the order.
      ServicesResources.Added services =
          new ServicesResources(templates, supervisor).add(c, spec, layout);
      c.requireFor(appService.id(), services.ready().toArray(String[]::new));
      // New passwords or addresses reach the app's workers with a graceful reload.
      c.notify(services.envWriter(), appService.id());
      new BackupResources(templates, supervisor).add(c, spec, layout, services.ready());
    }
    return new Stack(
        spec,
        layout,
        c.build(),
        appService,
        List.copyOf(processes),
        releaseConfig(spec, layout, ctx));
  }

  /**
   * The config that ships in each release: its environment and gunicorn's config, root-owned and
   * readable by the app's group only (they hold env values).
   */
  private Map<String, Stack.ReleaseFile> releaseConfig(
      Spec spec, AppLayout layout, Map<String, Object> ctx) {
    Map<String, Stack.ReleaseFile> files = new LinkedHashMap<>();
    String dir = AppLayout.RELEASE_CONFIG + "/";
    files.put(
        dir + "env",
        new Stack.ReleaseFile(
            envFile(spec, layout).getBytes(StandardCharsets.UTF_8), spec.app(), "0640"));
    files.put(
        dir + "gunicorn.conf.py",
        new Stack.ReleaseFile(
            templates.render("gunicorn.conf.py.j2", ctx).getBytes(StandardCharsets.UTF_8),
            spec.app(),
            "0640"));
    return files;
  }

  /** How the ACME runner makes nginx pick up a renewed certificate: a graceful reload. */
  private List<String> reloadNginx() {
    return supervisor == Supervisor.SYSTEMD
        ? List.of("systemctl", "reload", "nginx")
        : List.of("sv", "hup", "/etc/service/nginx");
  }

  /** The supervisor's files for one service; returns their resource ids. */
  private List<String> unitFiles(
      Catalog.Builder c, String service, String kind, Map<String, Object> ctx, String logDir) {
    if (supervisor == Supervisor.SYSTEMD) {
      String path = "/etc/systemd/system/" + service + ".service";
      c.add(
          FileResource.of(
              path, templates.render("systemd-" + kind + ".service.j2", ctx), ROOT_FILE));
      return List.of("file:" + path);
    }
    Map<String, Object> logCtx = new LinkedHashMap<>(ctx);
    logCtx.put("log_dir", logDir);
    String run = "/etc/sv/" + service + "/run";
    String log = "/etc/sv/" + service + "/log/run";
    c.add(FileResource.of(run, templates.render("runit-" + kind + ".run.j2", ctx), SCRIPT))
        .requires("package:runit");
    c.add(FileResource.of(log, templates.render("runit-log.run.j2", logCtx), SCRIPT))
        .requires("package:runit", "dir:" + logDir);
    return List.of("file:" + run, "file:" + log);
  }

  /** Values every template sees. */
  static Map<String, Object> context(Spec spec, AppLayout layout) {
    Map<String, Object> ctx = new LinkedHashMap<>();
    ctx.put("app", spec.app());
    ctx.put("app_id", spec.app().replace('-', '_'));
    ctx.put("user", spec.app());
    ctx.put("domain", spec.domain());
    ctx.put("aliases", spec.aliases());
    ctx.put("wsgi", spec.wsgi().gunicornForm());
    ctx.put(
        "workers",
        spec.workers().fixed().isPresent()
            ? String.valueOf(spec.workers().fixed().getAsInt())
            : "multiprocessing.cpu_count() * 2 + 1");
    ctx.put("socket", layout.socket());
    ctx.put("run_dir", layout.runDir());
    ctx.put("current", layout.current());
    ctx.put("service", layout.service());
    ctx.put("env_file", layout.envFile());
    ctx.put("secrets_file", layout.secretsFile());
    ctx.put("home", layout.root());
    ctx.put("with_env", layout.withEnv());
    ctx.put("shared", layout.shared());
    ctx.put("gunicorn_config", layout.gunicornConfig());
    ctx.put("python", layout.python());
    ctx.put("access_log", layout.nginxAccessLog());
    ctx.put("error_log", layout.nginxErrorLog());
    List<Map<String, String>> statics = new ArrayList<>();
    spec.statics()
        .forEach(
            (prefix, dir) ->
                statics.add(Map.of("prefix", prefix, "dir", layout.current() + "/" + dir)));
    ctx.put("statics", statics);
    ctx.putAll(ServicesResources.context(spec));
    return ctx;
  }

  /**
   * The app's environment as a shell-sourceable file; every value quoted by the one quoting
   * function.
   */
  static String envFile(Spec spec, AppLayout layout) {
    Map<String, String> env = baseEnv(spec, layout);
    StringBuilder out =
        new StringBuilder(
            "# Managed by hoist: the environment of app '"
                + spec.app()
                + "' in this release (root:"
                + spec.app()
                + " 0640). Secrets: hoist secrets.\n");
    env.forEach((k, v) -> out.append(k).append('=').append(ShellWords.quote(v)).append('\n'));
    return out.toString();
  }

  private static List<String> hosts(Spec spec) {
    List<String> hosts = new ArrayList<>();
    hosts.add(spec.domain());
    hosts.addAll(spec.aliases());
    return hosts;
  }

  /** Hoist's own variables, then the spec's. */
  public static Map<String, String> baseEnv(Spec spec, AppLayout layout) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOIST_APP", spec.app());
    env.put("HOIST_SHARED", layout.shared());
    env.put("HOIST_HOSTS", String.join(" ", hosts(spec)));
    env.put("HOME", layout.root());
    env.put("LANG", "C.UTF-8");
    env.put("PYTHONUNBUFFERED", "1");
    env.putAll(spec.env());
    return env;
  }
}
