package dev.hoist.stack;

import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.FileResource;
import dev.hoist.engine.PackageResource;
import dev.hoist.engine.ServiceResource;
import dev.hoist.engine.ServiceResource.Refresh;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.HealthSpec;
import dev.hoist.project.Spec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a spec and its environment's web nodes into a load balancer's resources: HAProxy with an
 * upstream per web node, checked by HAProxy itself with the app's health check.
 */
public final class BalancerStackBuilder {
  private static final Attributes ROOT_DIR = Attributes.of("root", "root", "0755");
  private static final Attributes ROOT_FILE = Attributes.of("root", "root", "0644");
  private static final Attributes SCRIPT = Attributes.of("root", "root", "0755");
  private static final String LOG_DIR = "/var/log/hoist/lb";

  /** Run by the systemd unit's ExecReload before HAProxy reloads (runit's control/h does it). */
  static final String SAVE_STATE = "/usr/local/lib/hoist/" + BalancerStack.SERVICE + "-save-state";

  private final Templates templates;
  private final Supervisor supervisor;

  public BalancerStackBuilder(Templates templates, Supervisor supervisor) {
    this.templates = templates;
    this.supervisor = supervisor;
  }

  /** The balancer of a node that holds no ACME certificate yet (HTTP, or the user's own PEM). */
  public BalancerStack build(Spec spec, List<BalancerStack.Upstream> upstreams) {
    return build(spec, upstreams, Optional.empty(), false);
  }

  /**
   * HAProxy ends TLS: with the user's own certificate ({@code ownCert}), or with the ACME
   * certificate the node already holds ({@code certOnNode}); until then it serves HTTP and the
   * challenge.
   */
  public BalancerStack build(
      Spec spec,
      List<BalancerStack.Upstream> upstreams,
      Optional<TlsMaterial> ownCert,
      boolean certOnNode) {
    Map<String, Object> ctx = context(spec, upstreams);
    Catalog.Builder c = Catalog.builder();
    c.add(new PackageResource("haproxy", Optional.empty()));
    if (supervisor == Supervisor.RUNIT) {
      c.add(new PackageResource("runit", Optional.empty()));
    }
    List<String> reload =
        supervisor == Supervisor.SYSTEMD
            ? List.of("systemctl", "reload", BalancerStack.SERVICE)
            : List.of("sv", "hup", "/etc/service/" + BalancerStack.SERVICE);
    TlsResources.Served tls =
        new TlsResources(templates, supervisor)
            .add(c, spec, ownCert, certOnNode, reload, true, "service:" + BalancerStack.SERVICE);
    ctx.putAll(tls.context());
    List<String> files = new ArrayList<>();
    c.add(
            FileResource.of(
                    BalancerStack.CONFIG, templates.render("haproxy.cfg.j2", ctx), ROOT_FILE)
                .validatedBy(List.of("haproxy", "-c", "-q", "-f", BalancerStack.CONFIG)))
        .requires("package:haproxy")
        .requires(tls.requires().toArray(String[]::new));
    String service = BalancerStack.SERVICE;
    if (supervisor == Supervisor.RUNIT) {
      if (!c.has("dir:/var/log/hoist")) {
        c.add(new DirectoryResource("/var/log/hoist", ROOT_DIR));
      }
      c.add(new DirectoryResource(LOG_DIR, ROOT_DIR)).requires("dir:/var/log/hoist");
      Map<String, Object> logCtx = new LinkedHashMap<>(ctx);
      logCtx.put("log_dir", LOG_DIR);
      String dir = "/etc/sv/" + service;
      c.add(FileResource.of(dir + "/run", templates.render("runit-haproxy.run.j2", ctx), SCRIPT))
          .requires("package:runit");
      c.add(
              FileResource.of(
                  dir + "/control/h", templates.render("runit-haproxy.control-h.j2", ctx), SCRIPT))
          .requires("package:runit");
      c.add(FileResource.of(dir + "/log/run", templates.render("runit-log.run.j2", logCtx), SCRIPT))
          .requires("package:runit", "dir:" + LOG_DIR);
      files.addAll(
          List.of(
              "file:" + dir + "/run", "file:" + dir + "/control/h", "file:" + dir + "/log/run"));
    } else {
      String unit = "/etc/systemd/system/" + service + ".service";
      c.add(FileResource.of(unit, templates.render("systemd-haproxy.service.j2", ctx), ROOT_FILE));
      c.add(
          FileResource.of(
              SAVE_STATE, templates.render("systemd-haproxy.save-state.j2", ctx), SCRIPT));
      if (c.has("dir:/usr/local/lib/hoist")) {
        c.requires("dir:/usr/local/lib/hoist");
      }
      files.addAll(List.of("file:" + unit, "file:" + SAVE_STATE));
    }
    ServiceResource haproxy =
        new ServiceResource(service, supervisor, Refresh.RELOAD, Duration.ofSeconds(10));
    c.add(haproxy).requires(files.toArray(String[]::new)).requires("file:" + BalancerStack.CONFIG);
    c.notify("file:" + BalancerStack.CONFIG, haproxy.id());
    for (String file : files) {
      // A new run script or unit only takes effect on a restart.
      c.restart(file, haproxy.id());
    }
    return new BalancerStack(spec.app(), c.build(), haproxy, List.copyOf(upstreams));
  }

  static Map<String, Object> context(Spec spec, List<BalancerStack.Upstream> upstreams) {
    HealthSpec health = spec.health();
    Map<String, Object> ctx = new LinkedHashMap<>();
    ctx.put("app", spec.app());
    ctx.put("app_id", spec.app().replace('-', '_'));
    ctx.put("domain", spec.domain());
    ctx.put("aliases", spec.aliases());
    ctx.put("backend", BalancerStack.BACKEND);
    ctx.put("config", BalancerStack.CONFIG);
    String adminDir =
        BalancerStack.ADMIN_SOCKET.substring(0, BalancerStack.ADMIN_SOCKET.lastIndexOf('/'));
    ctx.put("admin_socket", BalancerStack.ADMIN_SOCKET);
    ctx.put("admin_dir", adminDir);
    ctx.put("admin_dir_name", adminDir.substring("/run/".length()));
    ctx.putAll(TlsResources.context(spec));
    ctx.put("state_file", BalancerStack.STATE_FILE);
    ctx.put("service", BalancerStack.SERVICE);
    ctx.put("save_state", SAVE_STATE);
    ctx.put("health_path", spec.health().path());
    ctx.put("health_expect", health.expect());
    ctx.put("health_timeout_ms", health.timeout().toMillis());
    ctx.put("health_interval_ms", health.interval().toMillis());
    ctx.put("health_rise", health.healthy());
    ctx.put("health_fall", health.unhealthy());
    List<Map<String, Object>> ups = new ArrayList<>();
    upstreams.forEach(
        u -> ups.add(Map.of("name", u.name(), "address", u.address(), "port", u.port())));
    ctx.put("upstreams", ups);
    return ctx;
  }
}
