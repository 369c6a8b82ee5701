package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each data node's own user and home on a backup target. */
class TargetLayoutTest {
  @Test
  void aShortNodeNameIsTheUsersName() {
    assertThat(TargetLayout.user("db1")).isEqualTo("hoist-backup-db1");
    assertThat(TargetLayout.user("db.eu-1")).isEqualTo("hoist-backup-db-eu-1");
    assertThat(TargetLayout.home("db1")).isEqualTo("/var/lib/hoist-backup/nodes/db1");
  }

  @Test
  void aLongNameIsCutToLinuxsLimitAndStaysDistinct() {
    String a = TargetLayout.user("database-primary-frankfurt-1");
    String b = TargetLayout.user("database-primary-frankfurt-2");

    assertThat(a).hasSize(32).startsWith("hoist-backup-database-pr").matches("[a-z0-9-]+");
    assertThat(b).hasSize(32).isNotEqualTo(a);
  }
}
