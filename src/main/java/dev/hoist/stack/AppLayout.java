package dev.hoist.stack;

/** Where an app's parts live on a node; one place so every package agrees. */
public record AppLayout(String app) {
  public String root() {
    return "/srv/" + app;
  }

  public String releases() {
    return root() + "/releases";
  }

  public String release(String id) {
    return releases() + "/" + id;
  }

  public String current() {
    return root() + "/current";
  }

  public String shared() {
    return root() + "/shared";
  }

  public String etc() {
    return root() + "/etc";
  }

  /** The ACME runner (hoist-acme, driving certbot), shared by every app on a node. */
  public static final String ACME_RUNNER = "/usr/local/lib/hoist/hoist-acme";

  /** A release's own config (env, gunicorn's config), relative to the release directory. */
  public static final String RELEASE_CONFIG = ".hoist";

  /** The live release's environment: switching {@code current} switches it with the code. */
  public String envFile() {
    return current() + "/" + RELEASE_CONFIG + "/env";
  }

  /** The services runner (hoist-services), shared by every app on a data node. */
  public static final String SERVICES_RUNNER = "/usr/local/lib/hoist/hoist-services";

  /** The backup and restore runner (hoist-data), on the data node. */
  public static final String DATA_RUNNER = "/usr/local/lib/hoist/hoist-data";

  /** Where nginx answers 503 for the app while this file exists (a restore's swap). */
  public String maintenanceFlag() {
    return "/etc/hoist/maintenance/" + app;
  }

  /** The app's services config, credentials and Redis config on its data node. */
  public String servicesDir() {
    return "/etc/hoist/services/" + app;
  }

  /** DATABASE_URL, REDIS_URL, UPLOADS_DIR, UPLOADS_URL (root:app 0640), kept across releases. */
  public String servicesEnvFile() {
    return etc() + "/services";
  }

  /** The app's uploads ({@code services: [files]}), owned by the app, kept across releases. */
  public String uploadsDir() {
    return shared() + "/uploads";
  }

  /** The app's Redis data directory (redis:redis 0750, dump.rdb there). */
  public String redisDir() {
    return "/var/lib/hoist/redis/" + app;
  }

  /** The Unix socket hoist's runners reach the app's Redis through (in {@link #redisDir()}). */
  public String redisSocket() {
    return redisDir() + "/admin.sock";
  }

  /** The supervised name of the app's Redis instance. */
  public String redisService() {
    return "hoist-redis-" + app;
  }

  /** The names of the secrets and when each was set, never values: root:root 0600. */
  public String secretsIndex() {
    return etc() + "/secrets.json";
  }

  /** The live release's gunicorn config (re-read, through {@code current}, on every reload). */
  public String gunicornConfig() {
    return current() + "/" + RELEASE_CONFIG + "/gunicorn.conf.py";
  }

  /** The node's secrets for the app (root:app 0640), kept across releases. */
  public String secretsFile() {
    return etc() + "/secrets";
  }

  /**
   * The root-owned script that, run as the app user, loads the live release's env and the secrets
   * and runs a command in the release: supervisors and {@code hoist run} drop privileges first.
   */
  public String withEnv() {
    return etc() + "/with-env";
  }

  /** hoist's own state on the node: failed markers, the previous release, the node lock. */
  public String stateDir() {
    return root() + "/.hoist";
  }

  public String runDir() {
    return "/run/hoist-" + app;
  }

  public String socket() {
    return runDir() + "/gunicorn.sock";
  }

  public String logDir() {
    return "/var/log/hoist/" + app;
  }

  public String appLog() {
    return logDir() + "/current";
  }

  public String service() {
    return "hoist-" + app;
  }

  public String processService(String name) {
    return service() + "-" + name;
  }

  public String processLogDir(String name) {
    return logDir() + "-" + name;
  }

  public String nginxSite() {
    return "/etc/nginx/sites-enabled/hoist-" + app + ".conf";
  }

  public String nginxAccessLog() {
    return "/var/log/nginx/hoist-" + app + ".access.log";
  }

  public String nginxErrorLog() {
    return "/var/log/nginx/hoist-" + app + ".error.log";
  }

  /** The python of the live release's virtualenv (through the {@code current} link). */
  public String python() {
    return current() + "/.venv/bin/python";
  }

  /**
   * The app's TLS state on the node that ends TLS: certificate and key, the ACME runner's config,
   * its certbot lineage and last result. Root only (0700).
   */
  public String tlsDir() {
    return "/etc/hoist/tls/" + app;
  }

  /** The served certificate chain (PEM); present once a certificate was obtained or shipped. */
  public String tlsCert() {
    return tlsDir() + "/cert.pem";
  }

  public String tlsKey() {
    return tlsDir() + "/key.pem";
  }

  /** Chain and key in one file, as HAProxy reads them. */
  public String tlsHaproxyPem() {
    return tlsDir() + "/haproxy.pem";
  }

  /** Where the ACME client writes HTTP-01 tokens for nginx to serve (root-owned, 0755). */
  public String acmeWebroot() {
    return "/var/lib/hoist/acme/" + app;
  }

  /** The job that renews the certificate, run by the node's supervisor (or a systemd timer). */
  public String tlsService() {
    return "hoist-tls-" + app;
  }

  /** The runner of scheduled jobs (src/main/resources/dev/hoist/stack/hoist-cron.py). */
  public static final String CRON_RUNNER = "/usr/local/lib/hoist/hoist-cron";

  /** The configs of the app's scheduled jobs, one JSON file per job (root only, 0700). */
  public String cronConfigDir() {
    return "/etc/hoist/cron/" + app;
  }

  /** Each job's last run ({@code JOB.json}) and lock ({@code JOB.lock}); root-owned, 0755. */
  public String cronStateDir() {
    return "/var/lib/hoist/cron/" + app;
  }

  /** The job's runit service, or systemd timer and oneshot service (without suffix). */
  public String cronService(String job) {
    return "hoist-cron-" + app + "-" + job;
  }

  /** The job's output under runit (svlogd); under systemd it is the journal of its service. */
  public String cronLogDir(String job) {
    return "/var/log/hoist/" + cronService(job);
  }
}
