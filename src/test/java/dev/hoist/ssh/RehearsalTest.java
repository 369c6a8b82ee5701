package dev.hoist.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Path;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AOT training's SSH conversation works end to end, and the key exchange order. */
class RehearsalTest {
  @TempDir Path dir;

  @Test
  void rehearsalConnectsAuthenticatesAndEchoes() {
    try (SshNodes nodes = SshNodes.start(new SshSettings(Passphrases.NONE, null))) {
      assertThatCode(() -> Rehearsal.run(nodes, dir)).doesNotThrowAnyException();
    }
  }

  @Test
  void curve25519ComesFirstAndThePostQuantumHybridsStayOffered() {
    List<KeyExchangeFactory> offered = SshClient.setUpDefaultClient().getKeyExchangeFactories();

    List<String> names =
        SshNodes.classicFirst(offered).stream().map(KeyExchangeFactory::getName).toList();

    assertThat(names.getFirst()).isEqualTo("curve25519-sha256");
    assertThat(names)
        .containsExactlyInAnyOrderElementsOf(
            offered.stream().map(KeyExchangeFactory::getName).toList());
    assertThat(names).anyMatch(n -> n.startsWith("sntrup761x25519"));
  }
}
