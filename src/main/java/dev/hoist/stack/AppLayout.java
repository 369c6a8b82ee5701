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

  public String envFile() {
    return etc() + "/env";
  }

  /** {@code hoist secrets}: root:&lt;app&gt; 0640, {@code KEY='value'} lines (docs/security.md). */
  public String secretsFile() {
    return etc() + "/secrets";
  }

  /** The names of the secrets and when each was set, never values: root:root 0600. */
  public String secretsIndex() {
    return etc() + "/secrets.json";
  }

  public String gunicornConfig() {
    return etc() + "/gunicorn.conf.py";
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
}
