package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each data node machine's own user and home on a backup target. */
class TargetLayoutTest {
  static final String KEY_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA";
  static final String KEY_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB";

  @Test
  void theUserNamesTheNodeAndAHashOfItsHostKey() {
    TargetLayout.Account a = TargetLayout.account("db1", KEY_A);

    assertThat(a.user()).matches("hoist-bk-db1-[0-9a-f]{10}");
    assertThat(a.home()).isEqualTo("/var/lib/hoist-backup/nodes/" + a.user().substring(9));
    assertThat(a.record()).isEqualTo(a.home() + "/apps.json");
    assertThat(a.authorizedKeys()).isEqualTo(a.home() + "/.ssh/authorized_keys");
    // Stable: the same machine gets the same account on every deploy.
    assertThat(TargetLayout.account("db1", KEY_A + "\n")).isEqualTo(a);
  }

  @Test
  void twoMachinesOfTheSameOrOfLookAlikeNamesNeverShareOne() {
    TargetLayout.Account a = TargetLayout.account("db", KEY_A);

    assertThat(TargetLayout.account("db", KEY_B)).isNotEqualTo(a);
    assertThat(TargetLayout.account("db.1", KEY_A).user())
        .isNotEqualTo(TargetLayout.account("db-1", KEY_B).user());
    assertThat(TargetLayout.account("db", KEY_B).home()).isNotEqualTo(a.home());
  }

  @Test
  void aLongNameIsCutToLinuxsLimitAndKeepsItsHash() {
    TargetLayout.Account a = TargetLayout.account("database-primary-frankfurt-1", KEY_A);

    assertThat(a.user()).hasSize(32).matches("hoist-bk-database-pri-[0-9a-f]{10}");
    assertThat(TargetLayout.account("db_eu.1", KEY_A).user()).startsWith("hoist-bk-db-eu-1-");
  }

  @Test
  void theAccountOfBeforeIsNamedFromTheNodeAlone() {
    assertThat(TargetLayout.legacy("db.eu-1"))
        .isEqualTo(
            new TargetLayout.Account(
                "hoist-backup-db-eu-1", "/var/lib/hoist-backup/nodes/db.eu-1"));
    assertThat(TargetLayout.legacy("database-primary-frankfurt-1").user())
        .hasSize(32)
        .startsWith("hoist-backup-database-pr");
  }
}
