package dev.hoist.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The data node's public key as it comes back from the node: checked, its comment dropped. */
class BackupKeyTest {
  static final String KEY =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHd1ZnlG0Tb0xk1Rz3mGqZ9pR0xq1y1x6Y3m6n3N6Jq2";

  @Test
  void aKeyWithItsCommentIsReadBare() {
    assertThat(BackupKey.parse(KEY + " hoist-backup\n")).contains(KEY);
    assertThat(BackupKey.parse(KEY)).contains(KEY);
  }

  @Test
  void whatANodeCouldSmuggleIntoAuthorizedKeysIsRefused() {
    for (String bad :
        new String[] {
          KEY + "\nssh-ed25519 AAAA other",
          "command=\"sh\" " + KEY,
          "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7",
          "ssh-ed25519 AAAA\"x",
          "",
          "{\"event\": \"result\", \"ok\": true}",
        }) {
      assertThat(BackupKey.parse(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void theProbeAsksForTheFilesTextAndReadsIt() throws Exception {
    assertThat(BackupKey.probe().id()).isEqualTo(BackupKey.PROBE_ID);
    assertThat(
            BackupKey.fromProbe(
                new ObjectMapper()
                    .readTree("{\"type\": \"file\", \"text\": \"" + KEY + " c\\n\"}")))
        .contains(KEY);
    assertThat(BackupKey.fromProbe(new ObjectMapper().readTree("{\"type\": null}")))
        .isEqualTo(Optional.empty());
  }
}
