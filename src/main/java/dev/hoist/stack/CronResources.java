package dev.hoist.stack;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.CronJobsResource;
import dev.hoist.engine.FileResource;
import dev.hoist.engine.PackageResource;
import dev.hoist.engine.ServiceResource;
import dev.hoist.engine.ServiceResource.Refresh;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.CronJob;
import dev.hoist.project.CronSchedule;
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
 * Scheduled jobs on a node: the runner, one config per job, and per job a runit service that runs
 * the schedule loop, or a systemd timer and hardened oneshot service. The app's jobs (hoist.yml's
 * {@code cron:}) run as the app user on one node of the environment; on the others they are
 * removed. Hoist's own root jobs (a scheduled backup) are added through {@link
 * #add(Catalog.Builder, Job, String...)}.
 */
public final class CronResources {
  private static final Attributes ROOT_DIR = Attributes.of("root", "root", "0755");
  private static final Attributes PRIVATE_DIR = Attributes.of("root", "root", "0700");
  private static final Attributes PUBLIC_FILE = Attributes.of("root", "root", "0644");
  private static final Attributes PRIVATE_FILE = Attributes.of("root", "root", "0600");
  private static final Attributes SCRIPT = Attributes.of("root", "root", "0755");
  private static final String RUNNER = AppLayout.CRON_RUNNER;

  /** Names of Hoist's own jobs start with this; hoist.yml's job names may not. */
  public static final String ROOT_JOB_PREFIX = "hoist-";

  /**
   * One job as the runner runs it. {@code asRoot}: {@code argv} is a Hoist-owned program under
   * /usr/local/lib/hoist/, run as root; otherwise the app user runs it through with-env. {@code
   * writable}: paths the systemd unit may write besides the job's state (the app's shared dir).
   */
  public record Job(
      String app,
      String name,
      CronSchedule schedule,
      List<String> argv,
      Duration timeout,
      boolean asRoot,
      List<String> writable) {
    public Job {
      argv = List.copyOf(argv);
      writable = List.copyOf(writable);
    }
  }

  /**
   * A root job running a Hoist-owned program, e.g. {@code root("shop", "backup", daily,
   * List.of("/usr/local/lib/hoist/hoist-data", "scheduled", "--app", "shop"), ...)}; its name
   * becomes {@code hoist-backup}, which no hoist.yml job can take.
   */
  public static Job rootJob(
      String app,
      String name,
      CronSchedule schedule,
      List<String> argv,
      Duration timeout,
      List<String> writable) {
    if (argv.isEmpty() || !argv.getFirst().startsWith("/usr/local/lib/hoist/")) {
      throw new IllegalArgumentException("a root job runs a program under /usr/local/lib/hoist/");
    }
    return new Job(app, ROOT_JOB_PREFIX + name, schedule, argv, timeout, true, writable);
  }

  private final Templates templates;
  private final Supervisor supervisor;

  public CronResources(Templates templates, Supervisor supervisor) {
    this.templates = templates;
    this.supervisor = supervisor;
  }

  /**
   * The app's jobs: installed when {@code here} (the environment's cron node), after {@code after}
   * (nginx's service), and on every node any job of the app that is not wanted there is removed.
   */
  void addAppJobs(Catalog.Builder c, Spec spec, boolean here, String after) {
    AppLayout layout = new AppLayout(spec.app());
    List<String> keep = new ArrayList<>();
    List<String> added = new ArrayList<>();
    if (here) {
      for (CronJob job : spec.cron().values()) {
        added.add(
            add(
                c,
                new Job(
                    spec.app(),
                    job.name(),
                    job.schedule(),
                    job.command(),
                    job.timeout(),
                    false,
                    List.of(layout.shared())),
                "file:" + layout.withEnv(),
                after));
        keep.add(job.name());
      }
    }
    c.add(new CronJobsResource(spec.app(), keep, layout.cronConfigDir(), layout.cronStateDir()))
        .requires(added.toArray(String[]::new));
  }

  /**
   * Adds one job after {@code requires}, which must name the stack's last service (every service is
   * enabled just before the first one starts, so the others' files must be written by then);
   * returns the id of its service (the timer under systemd).
   */
  public String add(Catalog.Builder c, Job job, String... requires) {
    AppLayout layout = new AppLayout(job.app());
    RunnerConfig.dir(c, "/usr/local/lib/hoist", ROOT_DIR);
    if (!c.has("file:" + RUNNER)) {
      c.add(new FileResource(RUNNER, runner(), SCRIPT, List.of(), false))
          .requires("dir:/usr/local/lib/hoist");
    }
    RunnerConfig.dir(c, "/etc/hoist", ROOT_DIR);
    RunnerConfig.dir(c, "/etc/hoist/cron", ROOT_DIR, "dir:/etc/hoist");
    RunnerConfig.dir(c, layout.cronConfigDir(), PRIVATE_DIR, "dir:/etc/hoist/cron");
    RunnerConfig.dir(c, "/var/lib/hoist", ROOT_DIR);
    RunnerConfig.dir(c, "/var/lib/hoist/cron", ROOT_DIR, "dir:/var/lib/hoist");
    RunnerConfig.dir(c, layout.cronStateDir(), ROOT_DIR, "dir:/var/lib/hoist/cron");
    String config = layout.cronConfigDir() + "/" + job.name() + ".json";
    c.add(FileResource.of(config, config(job, layout), PRIVATE_FILE))
        .requires("dir:" + layout.cronConfigDir());

    String service = layout.cronService(job.name());
    Map<String, Object> ctx = new LinkedHashMap<>();
    ctx.put("app", job.app());
    ctx.put("job", job.name());
    ctx.put("schedule", job.schedule().text());
    ctx.put("who", job.asRoot() ? "root (a Hoist program)" : "user " + job.app());
    ctx.put("runner", RUNNER);
    ctx.put("config", config);
    ctx.put("service", service);
    ctx.put("state", layout.cronStateDir() + "/" + job.name() + ".json");
    ctx.put("state_dir", layout.cronStateDir());
    ctx.put("timeout", job.timeout().toSeconds());
    ctx.put("writable", job.writable());
    ctx.put("on_calendar", job.schedule().onCalendar());
    List<String> files = new ArrayList<>();
    String name;
    if (supervisor == Supervisor.SYSTEMD) {
      String unit = "/etc/systemd/system/" + service;
      c.add(
          FileResource.of(
              unit + ".service", templates.render("systemd-cron.service.j2", ctx), PUBLIC_FILE));
      c.add(
          FileResource.of(
              unit + ".timer", templates.render("systemd-cron.timer.j2", ctx), PUBLIC_FILE));
      files.add("file:" + unit + ".service");
      files.add("file:" + unit + ".timer");
      name = service + ".timer";
    } else {
      String logDir = layout.cronLogDir(job.name());
      RunnerConfig.dir(c, "/var/log/hoist", ROOT_DIR);
      RunnerConfig.dir(c, logDir, ROOT_DIR, "dir:/var/log/hoist");
      Map<String, Object> logCtx = new LinkedHashMap<>(ctx);
      logCtx.put("log_dir", logDir);
      if (!c.has("package:runit")) {
        c.add(new PackageResource("runit", Optional.empty()));
      }
      String sv = "/etc/sv/" + service;
      c.add(FileResource.of(sv + "/run", templates.render("runit-cron.run.j2", ctx), SCRIPT))
          .requires("package:runit");
      c.add(FileResource.of(sv + "/log/run", templates.render("runit-log.run.j2", logCtx), SCRIPT))
          .requires("package:runit", "dir:" + logDir);
      files.add("file:" + sv + "/run");
      files.add("file:" + sv + "/log/run");
      name = service;
    }
    ServiceResource svc =
        new ServiceResource(name, supervisor, Refresh.RESTART, Duration.ofSeconds(10));
    c.add(svc)
        .requires(files.toArray(String[]::new))
        .requires("file:" + RUNNER, "file:" + config, "dir:" + layout.cronStateDir())
        .requires(requires);
    // The loop re-reads its config before each run; only a new run script or unit restarts it.
    for (String f : files) {
      c.restart(f, svc.id());
    }
    return svc.id();
  }

  private static String config(Job job, AppLayout layout) {
    ObjectNode root = RunnerConfig.object();
    root.put("app", job.app());
    root.put("job", job.name());
    root.put("schedule", job.schedule().text());
    root.put("timeout", job.timeout().toSeconds());
    ArrayNode argv = root.putArray("argv");
    job.argv().forEach(argv::add);
    root.put("as_root", job.asRoot());
    if (!job.asRoot()) {
      root.put("user", job.app());
      root.put("with_env", layout.withEnv());
    }
    root.put("state_dir", layout.cronStateDir());
    return RunnerConfig.text(root);
  }

  private static byte[] runner() {
    try (InputStream in =
        CronResources.class.getResourceAsStream("/dev/hoist/stack/hoist-cron.py")) {
      if (in == null) {
        throw new IllegalStateException("hoist-cron.py is missing from hoist's jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
