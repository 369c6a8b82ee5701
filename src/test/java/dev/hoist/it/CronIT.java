package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code * * * * *} job deployed on this machine (runit) with the real minute schedule: it runs
 * once per minute, as the app user, with the app's env and secrets, never two at once (a manual run
 * during a scheduled one is skipped); {@code hoist status} shows its last run and {@code hoist
 * logs} its output; removed from hoist.yml, the next deploy removes it.
 */
class CronIT {
  static final String APP = "itcron";
  static final String SERVICE = "hoist-cron-" + APP + "-tick";
  @TempDir static Path tmp;

  @BeforeAll
  @AfterAll
  static void clean() throws Exception {
    Hoist.sh(
        "sv -w 15 down /etc/service/"
            + SERVICE
            + " >/dev/null 2>&1; sv exit /etc/service/"
            + SERVICE
            + " /etc/service/"
            + SERVICE
            + "/log >/dev/null 2>&1; rm -rf /etc/service/"
            + SERVICE
            + " /etc/sv/"
            + SERVICE
            + " /var/log/hoist/"
            + SERVICE
            + " /etc/hoist/cron/"
            + APP
            + " /var/lib/hoist/cron/"
            + APP);
    Hoist.purge(APP);
  }

  @Test
  void aMinuteJobRunsOncePerMinuteAsTheAppWithItsEnvAndNeverOverlaps() throws Exception {
    Path project = Files.createDirectories(tmp.resolve(APP));
    Files.writeString(
        project.resolve("app.py"),
        """
        def application(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return [b'ok']
        """);
    // Each run appends "uid greeting secret start end" to a file in the shared dir, and takes 8 s.
    Files.writeString(
        project.resolve("tick.py"),
        """
        import os, time
        start = time.time()
        print('tick starts', flush=True)
        time.sleep(8)
        path = os.path.join(os.environ['HOIST_SHARED'], 'data', 'runs')
        with open(path, 'a') as f:
            f.write('%d %s %s %.3f %.3f\\n' % (os.getuid(), os.environ['GREETING'],
                    os.environ.get('CRON_SECRET', '-'), start, time.time()))
        print('tick done', flush=True)
        """);
    String yml =
        """
        app: itcron
        wsgi: app:application
        domain: itcron.test
        env: {GREETING: hello-from-env}
        shared: [data]
        cron:
          tick: {schedule: "* * * * *", command: python tick.py, timeout: 50s}
        """;
    Files.writeString(project.resolve("hoist.yml"), yml);
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    Hoist.Result secret =
        Hoist.runWithInput("s3cret\n", "secrets", "set", project.toString(), "CRON_SECRET=-");
    assertThat(secret.exit()).as(secret.all()).isZero();

    Path config = Path.of("/etc/hoist/cron/" + APP + "/tick.json");
    assertThat(Hoist.sh("stat -c '%U %a' " + config).strip()).isEqualTo("root 600");
    assertThat(Hoist.sh("readlink /etc/service/" + SERVICE).strip())
        .isEqualTo("/etc/sv/" + SERVICE);

    // While a scheduled run is going, a manual run is refused by the lock.
    Path state = Path.of("/var/lib/hoist/cron/" + APP + "/tick.json");
    Awaitility.await()
        .atMost(Duration.ofSeconds(75))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> Files.exists(state) && Files.readString(state).contains("\"running\""));
    String manual = Hoist.sh("/usr/local/lib/hoist/hoist-cron run " + config + "; echo exit=$?");
    assertThat(manual).contains("skipped: the previous run is still running").contains("exit=75");

    // Two scheduled runs, in two consecutive minutes, each started in its minute's first seconds.
    Path runs = Path.of("/srv/" + APP + "/shared/data/runs");
    Awaitility.await()
        .atMost(Duration.ofSeconds(80))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> Files.exists(runs) && Files.readAllLines(runs).size() >= 2);
    List<String> lines = Files.readAllLines(runs);
    String uid = Hoist.sh("id -u " + APP).strip();
    List<Long> minutes = new ArrayList<>();
    double lastEnd = 0;
    for (String line : lines.subList(0, 2)) {
      String[] w = line.split(" ");
      assertThat(w[0]).as("runs as the app user").isEqualTo(uid);
      assertThat(w[1]).isEqualTo("hello-from-env");
      double start = Double.parseDouble(w[3]);
      assertThat(start).as("never overlapping").isGreaterThan(lastEnd);
      lastEnd = Double.parseDouble(w[4]);
      minutes.add((long) start / 60);
      assertThat(start % 60).as("started at its minute").isLessThan(10);
    }
    assertThat(minutes.get(1)).isEqualTo(minutes.get(0) + 1);
    assertThat(lines.get(1).split(" ")[2]).as("the secrets reach the job").isEqualTo("s3cret");

    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Files.readString(state).contains("\"ok\""));
    Hoist.Result status = Hoist.run("status", project.toString(), "--json");
    assertThat(status.exit()).as(status.all()).isZero();
    JsonNode job = new ObjectMapper().readTree(status.out()).path("jobs").get(0);
    assertThat(job.path("name").asText()).isEqualTo("tick");
    assertThat(job.path("schedule").asText()).isEqualTo("* * * * *");
    assertThat(job.path("result").asText()).isEqualTo("ok");
    assertThat(job.path("exit").asInt()).isZero();
    assertThat(job.path("durationSeconds").asDouble()).isBetween(8.0, 20.0);
    assertThat(Instant.parse(job.path("lastStart").asText()))
        .isAfter(Instant.now().minusSeconds(120));
    Hoist.Result human = Hoist.run("status", project.toString());
    assertThat(human.out()).contains("job tick").contains("* * * * *").contains("last run ");

    Hoist.Result logs = Hoist.run("logs", project.toString(), "-n", "50");
    assertThat(logs.out()).contains("tick starts").contains("hoist-cron: tick: ok, exit 0");

    // Removed from hoist.yml: the next deploy stops and removes it.
    Files.writeString(project.resolve("hoist.yml"), yml.substring(0, yml.indexOf("cron:")));
    Hoist.Result removed = Hoist.run("deploy", project.toString());
    assertThat(removed.exit()).as(removed.all()).isZero();
    assertThat(removed.all()).contains("cron:" + APP).contains("removed job tick");
    assertThat(Path.of("/etc/service/" + SERVICE)).doesNotExist();
    assertThat(Path.of("/etc/sv/" + SERVICE)).doesNotExist();
    assertThat(config).doesNotExist();
    assertThat(Hoist.sh("pgrep -f '[h]oist-cron schedule " + config + "' || echo none").strip())
        .isEqualTo("none");
  }
}
