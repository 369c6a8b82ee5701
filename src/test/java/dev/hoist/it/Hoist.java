package dev.hoist.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the built hoist jar as a user would, and captures what it printed and its exit code. */
public final class Hoist {
  /** One finished run. */
  record Result(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private Hoist() {}

  static Result run(String... args) throws IOException, InterruptedException {
    return launch(null, null, args);
  }

  /** As {@link #run}, with {@code stdin} (when not null) as hoist's standard input. */
  static Result runWithInput(String stdin, String... args)
      throws IOException, InterruptedException {
    return launch(null, stdin, args);
  }

  /** As {@link #run}, with {@code dir} as hoist's working directory (null: this JVM's). */
  static Result runIn(Path dir, String... args) throws IOException, InterruptedException {
    return launch(dir, null, args);
  }

  private static Result launch(Path dir, String stdin, String... args)
      throws IOException, InterruptedException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("hoist.jar", "target/hoist.jar")));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.environment().put("NO_COLOR", "1");
    pb.environment()
        .put("HOIST_TEMPLATES", Files.createTempDirectory("hoist-templates").toString());
    if (stdin != null) {
      Path in = Files.createTempFile("hoist-in", ".txt");
      Files.writeString(in, stdin);
      pb.redirectInput(in.toFile());
    }
    return capture(pb, "hoist " + String.join(" ", args));
  }

  /** Runs {@code pb} and captures its output; {@code what} names it in a timeout. */
  static Result capture(ProcessBuilder pb, String what) throws IOException, InterruptedException {
    Path out = Files.createTempFile("hoist-out", ".txt");
    Path err = Files.createTempFile("hoist-err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException(what + " did not finish in 10 minutes");
    }
    Result r =
        new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  /** Copies an example into a fresh dir under another app name and domain, so tests can edit it. */
  static Path copyExample(String example, String fromApp, String toApp, Path into)
      throws IOException {
    Path src = Path.of(System.getProperty("hoist.root", "."), "examples", example);
    Path dst = into.resolve(toApp);
    try (var walk = Files.walk(src)) {
      for (Path p : walk.toList()) {
        Path target = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.toString().contains("__pycache__")) {
          Files.copy(p, target);
        }
      }
    }
    Path yml = dst.resolve("hoist.yml");
    String spec =
        Files.readString(yml)
            .replace("app: " + fromApp, "app: " + toApp)
            .replaceAll("domain: \\S+", "domain: " + toApp + ".test");
    Files.writeString(yml, spec);
    return dst;
  }

  static void replace(Path file, String from, String to) throws IOException {
    String text = Files.readString(file);
    if (!text.contains(from)) {
      throw new IllegalStateException(file + " does not contain " + from);
    }
    Files.writeString(file, text.replace(from, to));
  }

  /**
   * Removes {@code app}'s backing services and data from this machine (its Redis instance, every
   * database and the role named after it, backups, state; PostgreSQL itself stays), then the app.
   */
  static void purgeWithData(String app) throws IOException, InterruptedException {
    String id = app.replace("-", "_");
    sh(
        """
        r=/etc/service/hoist-redis-%1$s
        sv -w 15 down $r >/dev/null 2>&1; sv exit $r $r/log >/dev/null 2>&1; rm -f $r
        rm -rf /etc/sv/hoist-redis-%1$s /var/log/hoist/hoist-redis-%1$s /var/lib/hoist/redis/%1$s \
          /var/lib/hoist/redis/%1$s.* /etc/hoist/services/%1$s /etc/hoist/maintenance/%1$s \
          /var/backups/hoist/%1$s /var/lib/hoist/data/%1$s
        if [ -S /var/run/postgresql/.s.PGSQL.5432 ]; then
          for db in $(runuser -u postgres -- psql -X -Atq -d postgres -c \
              "SELECT datname FROM pg_database WHERE datname = '%2$s' OR datname LIKE '%3$s\\_%%'"); do
            runuser -u postgres -- psql -X -q -d postgres -c "DROP DATABASE \"$db\" WITH (FORCE)" >/dev/null 2>&1
          done
          runuser -u postgres -- psql -X -q -d postgres -c 'DROP ROLE IF EXISTS %2$s' >/dev/null 2>&1
        fi
        true
        """
            .formatted(app, id, id));
    purge(app);
  }

  /** Removes everything a deploy of {@code app} made, so each test class starts clean. */
  public static void purge(String app) throws IOException, InterruptedException {
    sh(
        "sv -w 15 down /etc/service/hoist-"
            + app
            + " >/dev/null 2>&1; sv exit /etc/service/hoist-"
            + app
            + " >/dev/null 2>&1; sv exit /etc/service/hoist-"
            + app
            + "/log >/dev/null 2>&1; rm -f /etc/service/hoist-"
            + app
            + "; rm -rf /etc/sv/hoist-"
            + app
            + " /srv/"
            + app
            + " /var/log/hoist/"
            + app
            + "; rm -f /etc/nginx/sites-enabled/hoist-"
            + app
            + ".conf; userdel "
            + app
            + " >/dev/null 2>&1;"
            + " groupdel "
            + app
            + " >/dev/null 2>&1; sv -w 15 down /etc/service/hoist-tls-"
            + app
            + " >/dev/null 2>&1; sv exit /etc/service/hoist-tls-"
            + app
            + " /etc/service/hoist-tls-"
            + app
            + "/log >/dev/null 2>&1; rm -rf /etc/service/hoist-tls-"
            + app
            + " /etc/sv/hoist-tls-"
            + app
            + " /var/log/hoist/hoist-tls-"
            + app
            + " /etc/hoist/tls/"
            + app
            + " /var/lib/hoist/acme/"
            + app
            + "; [ -e /etc/service/nginx ] && sv hup /etc/service/nginx >/dev/null 2>&1; true");
  }

  static String sh(String script) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  /** What to do to a running hoist when its output shows a given line. */
  @FunctionalInterface
  interface OnLine {
    void act(Process hoist) throws Exception;
  }

  /** A finished hoist run: its exit code and its stdout and stderr together. */
  record Watched(int exit, StringBuilder out) {}

  /**
   * Runs hoist with {@code args}; the first time a line contains {@code trigger}, does {@code
   * action}.
   */
  static Watched watch(String trigger, OnLine action, String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("hoist.jar")));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().put("NO_COLOR", "1");
    Process hoist = pb.start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(hoist.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean done = false;
      while ((line = lines.readLine()) != null) {
        out.append(line).append('\n');
        if (!done && line.contains(trigger)) {
          action.act(hoist);
          done = true;
        }
      }
    }
    if (!hoist.waitFor(3, TimeUnit.MINUTES)) {
      hoist.destroyForcibly();
      throw new IOException("hoist " + String.join(" ", args) + " did not end in 3 minutes");
    }
    return new Watched(hoist.exitValue(), out);
  }
}
