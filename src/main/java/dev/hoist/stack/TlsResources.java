package dev.hoist.stack;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.FileResource;
import dev.hoist.engine.PackageResource;
import dev.hoist.engine.ServiceResource;
import dev.hoist.engine.ServiceResource.Refresh;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.Spec;
import dev.hoist.project.TlsSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The TLS part of the stack of the node that ends TLS (nginx, or HAProxy on a balancer): the user's
 * own certificate shipped, or the ACME runner, its config and the job that renews with certbot.
 */
final class TlsResources {
  /** The runner's source: src/main/resources/dev/hoist/tls/hoist-acme.py. */
  private static final String RUNNER = AppLayout.ACME_RUNNER;

  /**
   * Where certbot's standalone server answers HTTP-01 on a balancer (HAProxy forwards to it): a
   * port below 1024, so no unprivileged process on the lb node can squat it and answer the
   * challenge for the site's names.
   */
  static final String STANDALONE = "127.0.0.1:402";

  private static final Attributes ROOT_DIR = Attributes.of("root", "root", "0755");
  private static final Attributes PRIVATE_DIR = Attributes.of("root", "root", "0700");
  private static final Attributes PUBLIC_FILE = Attributes.of("root", "root", "0644");
  private static final Attributes PRIVATE_FILE = Attributes.of("root", "root", "0600");
  private static final Attributes SCRIPT = Attributes.of("root", "root", "0755");

  /**
   * What the server's config template sees (overriding {@link #context}: {@code https}, where the
   * challenge is answered), and the resources it must come after.
   */
  record Served(Map<String, Object> context, List<String> requires) {}

  private final Templates templates;
  private final Supervisor supervisor;

  TlsResources(Templates templates, Supervisor supervisor) {
    this.templates = templates;
    this.supervisor = supervisor;
  }

  /** The TLS values every server template sees, for a server that does not end TLS. */
  static Map<String, Object> context(Spec spec) {
    AppLayout layout = new AppLayout(spec.app());
    Map<String, Object> ctx = new LinkedHashMap<>();
    ctx.put("https", false);
    ctx.put("tls_cert", layout.tlsCert());
    ctx.put("tls_key", layout.tlsKey());
    ctx.put("tls_pem", layout.tlsHaproxyPem());
    ctx.put("acme_webroot", "");
    ctx.put("acme_standalone", "");
    ctx.put("hsts_seconds", spec.tls().hstsMaxAge().map(Duration::toSeconds).orElse(0L));
    return ctx;
  }

  /**
   * Adds what serving {@code spec}'s HTTPS needs. {@code certOnNode}: the node already holds an
   * ACME certificate (its probe said so), so the server can use it now; {@code reload}: how the
   * runner makes the server pick a renewed certificate up; {@code haproxy}: the balancer ends TLS
   * (one PEM file, the challenge answered by certbot's own server behind HAProxy); {@code server}:
   * the resource id of nginx's or HAProxy's service, which the renewal job starts after (on
   * systemd, every unit is enabled before the first one starts, so the server's unit file must be
   * written by then).
   */
  Served add(
      Catalog.Builder c,
      Spec spec,
      Optional<TlsMaterial> files,
      boolean certOnNode,
      List<String> reload,
      boolean haproxy,
      String server) {
    AppLayout layout = new AppLayout(spec.app());
    Map<String, Object> ctx = new LinkedHashMap<>();
    if (!spec.tls().on()) {
      return new Served(ctx, List.of());
    }
    RunnerConfig.dir(c, "/etc/hoist", ROOT_DIR);
    RunnerConfig.dir(c, "/etc/hoist/tls", ROOT_DIR, "dir:/etc/hoist");
    RunnerConfig.dir(c, layout.tlsDir(), PRIVATE_DIR, "dir:/etc/hoist/tls");
    List<String> requires = new ArrayList<>();
    requires.add("dir:" + layout.tlsDir());
    if (spec.tls() instanceof TlsSpec.Files) {
      // Empty in commands that do not deploy (status, logs, run): they read the stack's layout and
      // services, and must work even when the certificate file has expired or moved.
      if (files.isPresent()) {
        TlsMaterial m = files.get();
        // cert.pem always: status and check read the chain from it, never from a file with the key.
        c.add(new FileResource(layout.tlsCert(), m.chain(), PUBLIC_FILE, List.of(), false))
            .requires("dir:" + layout.tlsDir());
        requires.add("file:" + layout.tlsCert());
        if (haproxy) {
          c.add(pem(layout.tlsHaproxyPem(), concat(m.chain(), m.key())))
              .requires("dir:" + layout.tlsDir());
          requires.add("file:" + layout.tlsHaproxyPem());
        } else {
          c.add(pem(layout.tlsKey(), m.key())).requires("dir:" + layout.tlsDir());
          requires.add("file:" + layout.tlsKey());
        }
      }
      ctx.put("https", true);
      return new Served(ctx, requires);
    }
    TlsSpec.Acme acme = (TlsSpec.Acme) spec.tls();
    c.add(new PackageResource("certbot", Optional.empty()));
    RunnerConfig.dir(c, "/usr/local/lib/hoist", ROOT_DIR);
    c.add(new FileResource(RUNNER, runner(), SCRIPT, List.of(), false))
        .requires("dir:/usr/local/lib/hoist");
    Optional<String> caFile = Optional.empty();
    if (acme.ca().isPresent()) {
      String path = layout.tlsDir() + "/acme-ca.pem";
      c.add(new FileResource(path, read(acme.ca().get()), PUBLIC_FILE, List.of(), false))
          .requires("dir:" + layout.tlsDir());
      caFile = Optional.of(path);
    }
    if (haproxy) {
      ctx.put("acme_standalone", STANDALONE);
    } else {
      RunnerConfig.dir(c, "/var/lib/hoist", ROOT_DIR);
      RunnerConfig.dir(c, "/var/lib/hoist/acme", ROOT_DIR, "dir:/var/lib/hoist");
      RunnerConfig.dir(c, layout.acmeWebroot(), ROOT_DIR, "dir:/var/lib/hoist/acme");
      ctx.put("acme_webroot", layout.acmeWebroot());
      requires.add("dir:" + layout.acmeWebroot());
    }
    String config = layout.tlsDir() + "/acme.json";
    c.add(FileResource.of(config, acmeJson(spec, acme, caFile, reload, haproxy), PRIVATE_FILE))
        .requires("dir:" + layout.tlsDir());
    renewalJob(c, spec, layout, config, server);
    ctx.put("https", certOnNode);
    return new Served(ctx, requires);
  }

  /** Runs the runner hourly: certbot itself runs only when the certificate is due. */
  private void renewalJob(
      Catalog.Builder c, Spec spec, AppLayout layout, String config, String server) {
    Map<String, Object> ctx = new LinkedHashMap<>();
    ctx.put("app", spec.app());
    ctx.put("runner", RUNNER);
    ctx.put("tls_dir", layout.tlsDir());
    ctx.put("service", layout.tlsService());
    List<String> files = new ArrayList<>();
    String name;
    if (supervisor == Supervisor.SYSTEMD) {
      String unit = "/etc/systemd/system/" + layout.tlsService();
      c.add(
          FileResource.of(
              unit + ".service", templates.render("systemd-tls.service.j2", ctx), PUBLIC_FILE));
      c.add(
          FileResource.of(
              unit + ".timer", templates.render("systemd-tls.timer.j2", ctx), PUBLIC_FILE));
      files.add("file:" + unit + ".service");
      files.add("file:" + unit + ".timer");
      name = layout.tlsService() + ".timer";
    } else {
      String logDir = "/var/log/hoist/" + layout.tlsService();
      RunnerConfig.dir(c, "/var/log/hoist", ROOT_DIR);
      RunnerConfig.dir(c, logDir, ROOT_DIR, "dir:/var/log/hoist");
      Map<String, Object> logCtx = new LinkedHashMap<>(ctx);
      logCtx.put("log_dir", logDir);
      String sv = "/etc/sv/" + layout.tlsService();
      c.add(FileResource.of(sv + "/run", templates.render("runit-tls.run.j2", ctx), SCRIPT))
          .requires("package:runit");
      c.add(FileResource.of(sv + "/log/run", templates.render("runit-log.run.j2", logCtx), SCRIPT))
          .requires("package:runit", "dir:" + logDir);
      files.add("file:" + sv + "/run");
      files.add("file:" + sv + "/log/run");
      name = layout.tlsService();
    }
    ServiceResource job =
        new ServiceResource(name, supervisor, Refresh.RESTART, Duration.ofSeconds(10));
    c.add(job)
        .requires(files.toArray(String[]::new))
        .requires("file:" + RUNNER, "file:" + config, "package:certbot", server);
    for (String f : files) {
      c.restart(f, job.id());
    }
  }

  private static String acmeJson(
      Spec spec, TlsSpec.Acme acme, Optional<String> caFile, List<String> reload, boolean haproxy) {
    ObjectNode root = RunnerConfig.object();
    root.put("app", spec.app());
    ArrayNode names = root.putArray("names");
    acme.names().forEach(names::add);
    root.put("email", acme.email().orElse(null));
    root.put("directory", acme.directory());
    root.put("ca_file", caFile.orElse(null));
    ObjectNode challenge = root.putObject("challenge");
    if (haproxy) {
      challenge.put("standalone", STANDALONE);
    } else {
      challenge.put("webroot", new AppLayout(spec.app()).acmeWebroot());
    }
    root.put("renew_before_days", 30);
    ArrayNode reloads = root.putArray("reload");
    ArrayNode argv = reloads.addArray();
    reload.forEach(argv::add);
    root.put("haproxy_pem", haproxy);
    return RunnerConfig.text(root);
  }

  private static FileResource pem(String path, byte[] content) {
    return new FileResource(path, content, PRIVATE_FILE, List.of(), false).asSecret();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] read(java.nio.file.Path path) {
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  private static byte[] runner() {
    try (InputStream in = TlsResources.class.getResourceAsStream("/dev/hoist/tls/hoist-acme.py")) {
      if (in == null) {
        throw new IllegalStateException("hoist-acme.py is missing from hoist's jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
