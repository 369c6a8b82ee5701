package dev.hoist.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.project.BackupSpec;
import dev.hoist.project.CronSchedule;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** backup.json carries exactly the fields the data runner reads, in a stable order. */
class BackupConfigTest {
  private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample";

  @Test
  void rendersEveryFieldTheRunnerReads() throws Exception {
    BackupSpec spec =
        new BackupSpec(
            CronSchedule.parse("0 3 * * *"),
            7,
            Optional.of(new BackupSpec.Target("vault", Optional.empty(), "hoist.yml", 9, 11)),
            true,
            Optional.of(new BackupSpec.DrillCheck.Sql("SELECT count(*) FROM notes_note")));
    String text =
        BackupConfig.render(
            "shop",
            spec,
            Optional.of(
                new BackupConfig.Target(
                    "vault",
                    "10.0.0.9",
                    2222,
                    KEY,
                    "hoist-backup-db1",
                    "/var/lib/hoist-backup/nodes/db1/shop")));

    assertThat(text)
        .isEqualTo(
            "{\"app\":\"shop\",\"drill\":true,\"drill_check\":{\"sql\":\"SELECT count(*) FROM"
                + " notes_note\"},\"keep\":7,\"schedule\":\"0 3 * * *\",\"to\":{\"host\":\"10.0.0.9\","
                + "\"host_key\":\""
                + KEY
                + "\",\"node\":\"vault\",\"path\":\"/var/lib/hoist-backup/nodes/db1/shop\","
                + "\"port\":2222,\"user\":\"hoist-backup-db1\"}}\n");
  }

  @Test
  void aCommandCheckIsAStringAndNoTargetNoTo() throws Exception {
    BackupSpec spec =
        new BackupSpec(
            CronSchedule.parse("daily"),
            14,
            Optional.empty(),
            false,
            Optional.of(new BackupSpec.DrillCheck.Command("python manage.py check")));
    JsonNode json =
        new ObjectMapper().readTree(BackupConfig.render("shop", spec, Optional.empty()));

    assertThat(json.path("drill_check").asText()).isEqualTo("python manage.py check");
    assertThat(json.path("schedule").asText()).isEqualTo("daily");
    assertThat(json.has("to")).isFalse();
    assertThat(BackupConfig.path("shop")).isEqualTo("/etc/hoist/services/shop/backup.json");
  }

  @Test
  void theProbedFileNamesItsTargetAndAFileWithoutOneNamesNone() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String text =
        "{\"app\":\"shop\",\"to\":{\"host\":\"10.0.0.9\",\"node\":\"vault\","
            + "\"path\":\"/var/lib/hoist-backup/shop\",\"port\":2222,\"user\":\"hoist-backup\","
            + "\"host_key\":\"ssh-ed25519 AAAAvault\"}}\n";

    assertThat(BackupConfig.configured(json.createObjectNode().put("text", text)))
        .contains(
            new BackupConfig.Configured(
                "vault",
                "10.0.0.9",
                2222,
                "hoist-backup",
                "/var/lib/hoist-backup/shop",
                "ssh-ed25519 AAAAvault"));
    assertThat(BackupConfig.configured(json.createObjectNode().put("text", "{\"app\":\"shop\"}")))
        .isEmpty();
    assertThat(BackupConfig.configured(json.createObjectNode().put("exists", false))).isEmpty();
    assertThat(BackupConfig.configured(json.createObjectNode().put("text", "not json"))).isEmpty();
  }
}
