package dev.hoist.services;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The backup verdict's boundaries: none, fresh, exactly 1.5 periods, just over, failed drill. */
class BackupVerdictTest {
  private static final Instant CREATED = Instant.parse("2026-12-01T03:00:00Z");
  private static final Duration DAY = Duration.ofDays(1);

  private static JsonNode status(String json) throws Exception {
    return new ObjectMapper().readTree(json);
  }

  private static JsonNode withBackup(String extra) throws Exception {
    return status(
        "{\"configured\": true, \"backups\": [{\"name\": \"a\", \"created\":"
            + " \"2026-11-30T03:00:00Z\"}, {\"name\": \"b\", \"created\": \"2026-12-01T03:00:00Z\","
            + " \"verified\": true}]"
            + extra
            + "}");
  }

  @Test
  void noBackupIsCritical() throws Exception {
    BackupVerdict v =
        BackupVerdict.judge(status("{\"configured\": true, \"backups\": []}"), DAY, CREATED);

    assertThat(v.state()).isEqualTo(BackupVerdict.State.CRITICAL);
    assertThat(v.message()).isEqualTo("no backup on the node yet; the schedule has not run");
    assertThat(v.ageSeconds()).isEmpty();
  }

  @Test
  void noBackupAfterAFailedRunSaysWhy() throws Exception {
    BackupVerdict v =
        BackupVerdict.judge(
            status(
                "{\"configured\": true, \"backups\": [], \"last_scheduled\": {\"ok\": false,"
                    + " \"error\": \"PostgreSQL is not running\\nmore\"}}"),
            DAY,
            CREATED);

    assertThat(v.state()).isEqualTo(BackupVerdict.State.CRITICAL);
    assertThat(v.message()).endsWith("the last scheduled run failed: PostgreSQL is not running");
  }

  @Test
  void theNewestDecidesAndAtOneAndAHalfPeriodsItIsStillOk() throws Exception {
    BackupVerdict v = BackupVerdict.judge(withBackup(""), DAY, CREATED.plus(Duration.ofHours(36)));

    assertThat(v.state()).isEqualTo(BackupVerdict.State.OK);
    assertThat(v.ageSeconds()).hasValue(36 * 3600);
    assertThat(v.message()).isEqualTo("newest backup 36h old");
  }

  @Test
  void justOverOneAndAHalfPeriodsIsWarning() throws Exception {
    BackupVerdict v =
        BackupVerdict.judge(withBackup(""), DAY, CREATED.plus(Duration.ofHours(36).plusSeconds(1)));

    assertThat(v.state()).isEqualTo(BackupVerdict.State.WARNING);
    assertThat(v.message()).isEqualTo("newest backup 36h old, more than 1.5 × the schedule's 24h");
  }

  @Test
  void aFailedDrillIsWarningAndSaidOnce() throws Exception {
    BackupVerdict v =
        BackupVerdict.judge(
            withBackup(
                ", \"last_drill\": {\"ok\": false, \"error\": \"drill_check (sql) failed: boom\"},"
                    + " \"last_scheduled\": {\"ok\": false, \"error\": \"drill failed: x\"}"),
            DAY,
            CREATED.plusSeconds(90));

    assertThat(v.state()).isEqualTo(BackupVerdict.State.WARNING);
    assertThat(v.message())
        .isEqualTo("newest backup 90s old; the last drill failed: drill_check (sql) failed: boom");
  }

  @Test
  void aFailedCopyIsWarningAndAGoodDrillIsSaid() throws Exception {
    BackupVerdict v =
        BackupVerdict.judge(
            withBackup(
                ", \"last_drill\": {\"ok\": true}, \"last_scheduled\": {\"ok\": false, \"error\":"
                    + " \"copy to hoist-backup@10.0.0.9:/x failed\"}"),
            DAY,
            CREATED.plus(Duration.ofMinutes(5)));

    assertThat(v.state()).isEqualTo(BackupVerdict.State.WARNING);
    assertThat(v.message())
        .isEqualTo(
            "newest backup 5m old; the last scheduled run failed: copy to"
                + " hoist-backup@10.0.0.9:/x failed; last drill ok");
  }

  @Test
  void perfDataCarriesTheAgeAndTheWarningThreshold() {
    assertThat(BackupVerdict.perfData(3600, Duration.ofHours(1)))
        .isEqualTo("backup_age=3600s;5400");
    assertThat(BackupVerdict.staleAfter(Duration.ofDays(7))).isEqualTo(Duration.ofHours(252));
  }

  @Test
  void agesReadLikePeople() {
    assertThat(Ages.of(Duration.ofSeconds(119))).isEqualTo("119s");
    assertThat(Ages.of(Duration.ofMinutes(119))).isEqualTo("119m");
    assertThat(Ages.of(Duration.ofHours(47))).isEqualTo("47h");
    assertThat(Ages.of(Duration.ofDays(3))).isEqualTo("3d");
  }
}
