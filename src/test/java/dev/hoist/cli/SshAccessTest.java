package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which command lines start the SSH client before they are parsed. */
class SshAccessTest {
  @Test
  void argumentsThatNameNodesStartTheClientAhead() {
    assertThat(SshAccess.named(List.of("backup", "--env", "live"))).isTrue();
    assertThat(SshAccess.named(List.of("backup", "site", "-e", "live"))).isTrue();
    assertThat(SshAccess.named(List.of("deploy", "--env=live"))).isTrue();
    assertThat(SshAccess.named(List.of("status", "--node", "web1,web2"))).isTrue();
    assertThat(SshAccess.named(List.of("status", "--node=web1"))).isTrue();
  }

  @Test
  void commandsOnThisMachineDoNot() {
    assertThat(SshAccess.named(List.of("backup", "site", "-o", "x.hoistbak"))).isFalse();
    assertThat(SshAccess.named(List.of("deploy", "environment"))).isFalse();
    assertThat(SshAccess.named(List.of())).isFalse();
  }
}
