package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backup:} for real on this machine (runit): examples/django-postgres with a schedule of
 * every minute; the node's own scheduler (hoist-cron's loop) runs the data runner, which writes,
 * verifies and drills a bundle; {@code hoist backups} lists it and {@code hoist check} judges it:
 * CRITICAL before any backup, OK after, WARNING once the drill check fails; removing {@code
 * backup:} removes the job.
 */
@TestMethodOrder(OrderAnnotation.class)
class BackupScheduleIT {
  static final String APP = "it-sched";
  static final String APP_ID = "it_sched";
  static final String JOB = "/etc/hoist/cron/" + APP + "/hoist-backup.json";
  static final String SERVICE = "/etc/service/hoist-cron-" + APP + "-hoist-backup";
  static final ObjectMapper JSON = new ObjectMapper();
  // A run starts at the next minute; a backup and drill of a small app takes seconds.
  static final Duration WAIT = Duration.ofSeconds(150);
  static final String EVERY_MINUTE =
      "backup:\n  schedule: \"* * * * *\"\n  keep: 2\n  drill: true\n"
          + "  drill_check: {sql: \"SELECT count(*) FROM notes_note\"}\n";
  @TempDir static Path tmp;
  static Path project;
  static String spec;

  @BeforeAll
  static void setUp() throws Exception {
    purge();
    project = Hoist.copyExample("django-postgres", "django-pg", APP, tmp);
    spec = Files.readString(project.resolve("hoist.yml"));
  }

  @AfterAll
  static void tearDown() throws Exception {
    purge();
  }

  /** Hoist's backup job, then the app and all its data. */
  static void purge() throws Exception {
    Hoist.sh(
        "s="
            + SERVICE
            + "; sv -w 15 down $s >/dev/null 2>&1; sv exit $s $s/log >/dev/null 2>&1; rm -f $s;"
            + " rm -rf /etc/sv/hoist-cron-"
            + APP
            + "-hoist-backup /var/log/hoist/hoist-cron-"
            + APP
            + "-hoist-backup /etc/hoist/cron/"
            + APP
            + " /var/lib/hoist/cron/"
            + APP
            + "; true");
    Hoist.purgeWithData(APP);
  }

  static void writeSpec(String backup) throws Exception {
    Files.writeString(project.resolve("hoist.yml"), spec + backup);
  }

  static JsonNode backups() throws Exception {
    Hoist.Result r = Hoist.run("backups", project.toString(), "--json");
    assertThat(r.exit()).as(r.all()).isZero();
    return JSON.readTree(r.out());
  }

  /** Waits (bounded) for a scheduled run that started after {@code after}; its status. */
  static JsonNode runAfter(Instant after) throws Exception {
    Instant deadline = Instant.now().plus(WAIT);
    while (Instant.now().isBefore(deadline)) {
      JsonNode s = backups();
      JsonNode run = s.path("last_scheduled");
      if (run.has("finished") && Instant.parse(run.path("started").asText()).isAfter(after)) {
        return s;
      }
      Thread.sleep(3000);
    }
    throw new AssertionError(
        "no scheduled run finished within "
            + WAIT
            + "; the job's log:\n"
            + Hoist.sh("tail -n 30 /var/log/hoist/hoist-cron-" + APP + "-hoist-backup/current"));
  }

  @Test
  @Order(1)
  void beforeAnyBackupCheckIsCritical() throws Exception {
    Hoist.Result deploy = Hoist.run("deploy", project.toString());
    assertThat(deploy.exit()).as(deploy.all()).isZero();
    writeSpec(EVERY_MINUTE);

    Hoist.Result check = Hoist.run("check", project.toString());

    assertThat(check.exit()).as(check.all()).isEqualTo(2);
    assertThat(check.out())
        .startsWith("HOIST CRITICAL - " + APP + " backups: no backup on the node");
    assertThat(backups().path("backups").size()).isZero();
  }

  @Test
  @Order(2)
  void theNodesSchedulerBacksUpVerifiesAndDrills() throws Exception {
    Instant deployed = Instant.now();
    Hoist.Result deploy = Hoist.run("deploy", project.toString());
    assertThat(deploy.exit()).as(deploy.all()).isZero();
    assertThat(Hoist.sh("stat -c '%U:%G %a' /etc/hoist/services/" + APP + "/backup.json").strip())
        .isEqualTo("root:root 600");
    assertThat(Files.exists(Path.of(SERVICE))).isTrue();

    JsonNode s = runAfter(deployed.minusSeconds(1));

    JsonNode run = s.path("last_scheduled");
    assertThat(run.path("ok").asBoolean()).as(run.toString()).isTrue();
    assertThat(run.path("drill").path("ok").asBoolean()).isTrue();
    JsonNode newest = s.path("backups").get(0);
    assertThat(newest.path("name").asText()).startsWith(APP + "-").endsWith(".hoistbak");
    assertThat(newest.path("verified").asBoolean()).isTrue();
    assertThat(s.path("last_drill").path("ok").asBoolean()).isTrue();
    assertThat(
            Hoist.sh(
                    "stat -c '%U %a' /var/backups/hoist/"
                        + APP
                        + "/"
                        + newest.path("name").asText())
                .strip())
        .isEqualTo("root 600");

    Hoist.Result listed = Hoist.run("backups", project.toString());
    assertThat(listed.exit()).as(listed.all()).isZero();
    assertThat(listed.out()).contains(newest.path("name").asText()).contains("verified");
    assertThat(listed.out()).contains("last drill: ").contains("ok (sql)");

    Hoist.Result check = Hoist.run("check", project.toString());
    assertThat(check.exit()).as(check.all()).isZero();
    assertThat(check.out()).startsWith("HOIST OK - ").containsPattern("backup_age=[0-9]+s;90");
  }

  @Test
  @Order(3)
  void aFailingDrillCheckIsWarning() throws Exception {
    writeSpec(EVERY_MINUTE.replace("SELECT count(*) FROM notes_note", "SELECT * FROM no_such"));
    Instant deployed = Instant.now();
    Hoist.Result deploy = Hoist.run("deploy", project.toString());
    assertThat(deploy.exit()).as(deploy.all()).isZero();

    JsonNode s = runAfter(deployed);
    assertThat(s.path("last_scheduled").path("ok").asBoolean()).isFalse();
    assertThat(s.path("last_scheduled").path("error").asText()).startsWith("drill failed");

    betweenRuns();
    Hoist.Result drill = Hoist.run("backup", "drill", project.toString());
    assertThat(drill.exit()).as(drill.all()).isEqualTo(1);
    assertThat(drill.err()).contains("drill failed").contains("no_such");

    Hoist.Result check = Hoist.run("check", project.toString());
    assertThat(check.exit()).as(check.all()).isEqualTo(1);
    assertThat(check.out())
        .startsWith("HOIST WARNING - " + APP + " backups: newest backup")
        .contains("the last drill failed");
  }

  /** Waits until the middle of a minute, so a drill by hand does not meet the scheduled run. */
  static void betweenRuns() throws InterruptedException {
    int second = Instant.now().atZone(java.time.ZoneOffset.UTC).getSecond();
    if (second < 20 || second > 40) {
      Thread.sleep(((80 - second) % 60) * 1000L);
    }
  }

  @Test
  @Order(4)
  void removingBackupRemovesTheJob() throws Exception {
    writeSpec("");
    Hoist.Result deploy = Hoist.run("deploy", project.toString());

    assertThat(deploy.exit()).as(deploy.all()).isZero();
    assertThat(Files.exists(Path.of(SERVICE))).isFalse();
    assertThat(Files.exists(Path.of(JOB))).isFalse();
    // The bundles stay: removing the schedule deletes no data.
    assertThat(backups().path("backups").size()).isPositive();
  }
}
