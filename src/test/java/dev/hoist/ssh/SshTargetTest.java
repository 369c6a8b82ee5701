package dev.hoist.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SshTargetTest {
  @Test
  void defaults() {
    SshTarget target = SshTarget.of("web1", "10.0.0.11");
    assertThat(target.port()).isEqualTo(22);
    assertThat(target.user()).isEqualTo("root");
    assertThat(target.needsSudo()).isFalse();
    assertThat(target.identityFiles()).isEmpty();
    assertThat(target.jump()).isNull();
    assertThat(target.knownHosts())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));
    assertThat(target.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(target.keepAlive()).isEqualTo(Duration.ofSeconds(15));
    assertThat(target.address()).isEqualTo("10.0.0.11:22");
  }

  @Test
  void ipv6AddressesAreBracketedInMessages() {
    assertThat(SshTarget.of("web1", "::1").withPort(2222).address()).isEqualTo("[::1]:2222");
  }

  @Test
  void aUserOtherThanRootNeedsSudo() {
    assertThat(SshTarget.of("web1", "h").withUser("deploy").needsSudo()).isTrue();
  }

  @Test
  void invalidValuesAreNamed() {
    assertThatThrownBy(() -> SshTarget.of("web1", "h").withPort(70000))
        .hasMessage("web1: invalid SSH port '70000'; expected a number from 1 to 65535");
    assertThatThrownBy(() -> SshTarget.of("web1", "-oProxyCommand=x"))
        .hasMessage(
            "web1: invalid SSH host '-oProxyCommand=x'; expected a host name or an IP address");
    assertThatThrownBy(() -> SshTarget.of("web1", "h").withUser("bob@h"))
        .hasMessage("web1: invalid SSH user 'bob@h'; expected a user name such as root or deploy");
    assertThatThrownBy(() -> SshTarget.of("web1", "h").withConnectTimeout(Duration.ZERO))
        .hasMessage("web1: invalid SSH connect timeout 'PT0S'; expected a positive duration");
    assertThatThrownBy(() -> SshTarget.of(" ", "h")).hasMessage("an SSH target needs a node name");
    assertThatThrownBy(() -> SshTarget.of("web1", null))
        .hasMessage("web1: invalid SSH host (none); expected a host name or an IP address");
  }

  @Test
  void jumpHostsChainButNotEndlessly() {
    SshTarget chain = SshTarget.of("j0", "h");
    for (int i = 1; i < 8; i++) {
      chain = SshTarget.of("j" + i, "h").withJump(chain);
    }
    SshTarget longest = chain;
    assertThat(SshTarget.of("web1", "h").withJump(longest).jump().name()).isEqualTo("j7");
    assertThatThrownBy(
            () -> SshTarget.of("web1", "h").withJump(SshTarget.of("j8", "h").withJump(longest)))
        .hasMessageContaining("more than 8 jump hosts");
  }
}
