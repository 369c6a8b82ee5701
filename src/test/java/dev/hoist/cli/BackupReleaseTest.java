package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.project.BackupSpec;
import dev.hoist.stack.BackupConfig;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which target a deploy takes an app's copies away from, and what the plan says of it. */
class BackupReleaseTest {
  static final Optional<BackupConfig.Configured> VAULT =
      Optional.of(
          new BackupConfig.Configured(
              "vault",
              "10.0.0.9",
              22,
              "hoist-bk-db1-0123456789",
              "/var/lib/hoist-backup/nodes/db1-0123456789/shop",
              "ssh-ed25519 AAAAvault"));

  static Optional<BackupSpec.Target> to(String node) {
    return Optional.of(new BackupSpec.Target(node, Optional.empty(), "hoist.yml", 9, 11));
  }

  @Test
  void aDroppedOrMovedTargetIsReleasedAndAKeptOneIsNot() {
    assertThat(BackupRelease.stale(VAULT, Optional.empty())).isEqualTo(VAULT);
    assertThat(BackupRelease.stale(VAULT, to("vault2"))).isEqualTo(VAULT);
    assertThat(BackupRelease.stale(VAULT, to("vault"))).isEmpty();
    assertThat(BackupRelease.stale(Optional.empty(), Optional.empty())).isEmpty();
  }

  @Test
  void thePlanSaysTheCopiesStay() {
    assertThat(BackupRelease.planned(VAULT, Optional.empty(), "db1"))
        .contains(
            "backup copies: after the deploy, vault stops taking this app's copies from db1 (its"
                + " key and user there go with the node's last app there); the copies already in"
                + " /var/lib/hoist-backup/nodes/db1-0123456789/shop stay");
    assertThat(BackupRelease.planned(VAULT, to("vault"), "db1")).isEmpty();
  }
}
