package dev.hoist.stack;

import static dev.hoist.stack.StackBuilderTest.content;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.RootJobAbsent;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.BackupSpec;
import dev.hoist.project.CronSchedule;
import dev.hoist.project.ServicesSpec;
import dev.hoist.project.Spec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Scheduled backups in the data node's stack: backup.json, the root job, its removal. */
class BackupStackTest {
  private static final String JOB_CONFIG = "file:/etc/hoist/cron/hello/hoist-backup.json";

  private static TestSpec withServices() {
    return TestSpec.hello()
        .services(
            new ServicesSpec(
                Optional.of(new ServicesSpec.Postgres(15, List.of())),
                Optional.empty(),
                Optional.empty()));
  }

  private static Catalog build(Spec spec, Supervisor supervisor) {
    return new StackBuilder(new Templates(List.of()), supervisor).build(spec).catalog();
  }

  private static BackupSpec backup() {
    return new BackupSpec(
        CronSchedule.parse("* * * * *"),
        3,
        Optional.empty(),
        true,
        Optional.of(new BackupSpec.DrillCheck.Sql("SELECT 1")));
  }

  @Test
  void underRunitTheRunnerRunsAsRootOnTheSchedule() throws Exception {
    Catalog c = build(withServices().backup(backup()).build(), Supervisor.RUNIT);

    JsonNode backupJson =
        new ObjectMapper().readTree(content(c, "file:/etc/hoist/services/hello/backup.json"));
    assertThat(backupJson.path("keep").asInt()).isEqualTo(3);
    assertThat(backupJson.path("drill_check").path("sql").asText()).isEqualTo("SELECT 1");
    assertThat(
            StackBuilderTest.file(c, "file:/etc/hoist/services/hello/backup.json")
                .attributes()
                .mode())
        .isEqualTo("0600");
    JsonNode job = new ObjectMapper().readTree(content(c, JOB_CONFIG));
    assertThat(job.path("as_root").asBoolean()).isTrue();
    assertThat(job.path("schedule").asText()).isEqualTo("* * * * *");
    assertThat(job.path("argv").toString())
        .isEqualTo("[\"/usr/local/lib/hoist/hoist-data\",\"scheduled\",\"--app\",\"hello\"]");
    assertThat(c.contains("service:hoist-cron-hello-hoist-backup")).isTrue();
    assertThat(c.contains("cron-absent:hello/hoist-backup")).isFalse();
    // Every service's files are written before the first service is enabled.
    assertThat(c.get("service:hoist-cron-hello-hoist-backup").requires()).contains("service:nginx");
  }

  @Test
  void underSystemdATimerWithTheRunnersPathsWritable() {
    Catalog c = build(withServices().backup(backup()).build(), Supervisor.SYSTEMD);

    assertThat(content(c, "file:/etc/systemd/system/hoist-cron-hello-hoist-backup.service"))
        .contains(
            "ReadWritePaths=/var/lib/hoist/cron/hello -/var/backups/hoist -/var/lib/hoist/data");
    assertThat(content(c, "file:/etc/systemd/system/hoist-cron-hello-hoist-backup.timer"))
        .contains("OnCalendar=*-*-* *:*:00");
  }

  @Test
  void aCopyTargetNamesItsAddressAndPinnedHostKeyAndTheNodeMakesItsKey() throws Exception {
    BackupSpec.Target to =
        new BackupSpec.Target("vault", Optional.empty(), "hoist.yml", 9, 11)
            .at(
                new BackupSpec.Address(
                    "10.0.0.9",
                    2222,
                    BackupKeyTest.KEY,
                    "hoist-backup-db1",
                    "/var/lib/hoist-backup/nodes/db1/hello"));
    BackupSpec withTo =
        new BackupSpec(CronSchedule.parse("daily"), 3, Optional.of(to), false, Optional.empty());
    Catalog c = build(withServices().backup(withTo).build(), Supervisor.RUNIT);

    JsonNode target =
        new ObjectMapper()
            .readTree(content(c, "file:/etc/hoist/services/hello/backup.json"))
            .path("to");
    assertThat(target.path("host").asText()).isEqualTo("10.0.0.9");
    assertThat(target.path("port").asInt()).isEqualTo(2222);
    assertThat(target.path("user").asText()).isEqualTo("hoist-backup-db1");
    assertThat(target.path("path").asText()).isEqualTo("/var/lib/hoist-backup/nodes/db1/hello");
    assertThat(target.path("host_key").asText()).isEqualTo(BackupKeyTest.KEY);
    dev.hoist.engine.ExecResource key =
        (dev.hoist.engine.ExecResource) c.get(BackupKey.stepId()).resource();
    assertThat(key.argv()).containsExactly("/usr/local/lib/hoist/hoist-data", "key");
    assertThat(key.creates()).contains("/etc/hoist/backup/id_ed25519.pub");
    assertThat(c.get(BackupKey.stepId()).requires())
        .contains("file:/usr/local/lib/hoist/hoist-data");
  }

  @Test
  void withoutACopyTargetNoKeyIsMade() {
    Catalog c = build(withServices().backup(backup()).build(), Supervisor.RUNIT);

    assertThat(c.contains(BackupKey.stepId())).isFalse();
  }

  @Test
  void theRunnersWritablePathsExistBeforeTheJobStarts() {
    // A ReadWritePaths entry missing when the unit starts stays read-only: the runner's first run
    // on a fresh systemd node could not make /var/backups/hoist (DataLabIT).
    Catalog c = build(withServices().backup(backup()).build(), Supervisor.SYSTEMD);
    List<String> order = c.ordered().stream().map(e -> e.resource().id()).toList();

    for (String dir : List.of("dir:/var/backups/hoist", "dir:/var/lib/hoist/data")) {
      assertThat(((DirectoryResource) c.get(dir).resource()).attributes())
          .isEqualTo(Attributes.of("root", "root", "0755"));
      assertThat(order.indexOf(dir))
          .isLessThan(order.indexOf("service:hoist-cron-hello-hoist-backup.timer"));
    }
  }

  @Test
  void withoutBackupTheJobIsRemovedAndNothingWritten() {
    Catalog c = build(withServices().build(), Supervisor.RUNIT);

    assertThat(c.get("cron-absent:hello/hoist-backup").resource())
        .isEqualTo(
            new RootJobAbsent(
                "hello", "hoist-backup", "/etc/hoist/cron/hello", "/var/lib/hoist/cron/hello"));
    assertThat(c.contains("file:/etc/hoist/services/hello/backup.json")).isFalse();
    // Gone with the schedule: a later deploy never takes its old copy target for a current one.
    assertThat(c.get("absent:/etc/hoist/services/hello/backup.json").resource())
        .isEqualTo(
            dev.hoist.engine.FileAbsent.of(
                "/etc/hoist/services/hello/backup.json", "backup: is no longer in hoist.yml"));
    assertThat(c.contains(JOB_CONFIG)).isFalse();
  }
}
