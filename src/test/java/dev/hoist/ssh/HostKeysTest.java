package dev.hoist.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hoist.node.ExecRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostKeysTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private TestSshServer server;
  private SshNodes ssh;
  private Path key;
  private Path knownHosts;

  @BeforeEach
  void start() throws Exception {
    server = TestSshServer.start((command, in, out, err, channel) -> 0);
    KeyPair user = TestSshServer.ed25519();
    server.authorized.add(user.getPublic());
    key = TestSshServer.writeKey(user, dir.resolve("id_ed25519"), null);
    knownHosts = dir.resolve("known_hosts");
    ssh = SshNodes.start(new SshSettings(Passphrases.NONE, null));
  }

  @AfterEach
  void stop() throws Exception {
    ssh.close();
    server.close();
  }

  private SshTarget target() {
    return server.target("web1", dir, key);
  }

  private String fingerprint() {
    return KeyUtils.getFingerPrint(server.hostKey.getPublic());
  }

  @Test
  void refusesAnUnknownHostAndSaysHowToTrustIt() {
    SshNode node = ssh.node(target());
    assertThatThrownBy(node::connect)
        .isInstanceOfSatisfying(
            SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.HOST_UNKNOWN))
        .hasMessageStartingWith(
            "web1: the host key of 127.0.0.1:"
                + server.port()
                + " is not known (ssh-ed25519 "
                + fingerprint())
        .hasMessageContaining("check that fingerprint out of band")
        .hasMessageEndingWith("then run: hoist node trust web1");
    // Nothing was authenticated, and the connection is gone.
    await().atMost(Duration.ofSeconds(5)).until(() -> server.server.getActiveSessions().isEmpty());
  }

  @Test
  void refusesAChangedKeyLoudlyNamingTheLineAndTheWayOut() throws Exception {
    String stale = new HostKey(TestSshServer.ed25519().getPublic()).openSsh();
    Files.writeString(knownHosts, "# my hosts\n[127.0.0.1]:" + server.port() + " " + stale + "\n");
    assertThatThrownBy(() -> ssh.node(target()).connect())
        .isInstanceOfSatisfying(
            SshException.class,
            e -> assertThat(e.kind()).isEqualTo(SshException.Kind.HOST_KEY_CHANGED))
        .hasMessageStartingWith(
            "web1: WARNING: THE HOST KEY OF 127.0.0.1:" + server.port() + " HAS CHANGED")
        .hasMessageContaining("man-in-the-middle")
        .hasMessageContaining(knownHosts + ":2 holds ssh-ed25519")
        .hasMessageContaining("ssh-keygen -R [127.0.0.1]:" + server.port() + " -f " + knownHosts);
  }

  @Test
  void scanThenTrustAppendsALineThatThenVerifies() throws Exception {
    HostKeys keys = ssh.hostKeys();
    HostKey offered = keys.scan(target());
    assertThat(offered.fingerprint()).isEqualTo(fingerprint());
    assertThat(offered.type()).isEqualTo("ssh-ed25519");

    Path nested = dir.resolve("new/.ssh/known_hosts");
    SshTarget target = target().withKnownHosts(nested);
    assertThat(keys.trust(target, offered)).isTrue();
    assertThat(Files.readString(nested))
        .isEqualTo("[127.0.0.1]:" + server.port() + " " + offered.openSsh() + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested.getParent())))
        .isEqualTo("rwx------");
    assertThat(keys.trust(target, offered)).isFalse();

    assertThat(ssh.node(target).exec(ExecRequest.of(List.of("true"), TIMEOUT)).ok()).isTrue();
  }

  @Test
  void trustRefusesToOverwriteAnotherKeyOfTheSameType() throws Exception {
    HostKey offered = ssh.hostKeys().scan(target());
    Files.writeString(
        knownHosts,
        "[127.0.0.1]:"
            + server.port()
            + " "
            + new HostKey(TestSshServer.ed25519().getPublic()).openSsh());
    assertThatThrownBy(() -> ssh.hostKeys().trust(target(), offered))
        .isInstanceOfSatisfying(
            SshException.class,
            e -> assertThat(e.kind()).isEqualTo(SshException.Kind.HOST_KEY_CHANGED))
        .hasMessageContaining("ssh-keygen -R");
  }

  @Test
  void asksForTheKeyTypeKnownHostsHas() throws Exception {
    KeyPair ecdsa = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
    try (TestSshServer both =
        TestSshServer.start((c, in, out, err, ch) -> 0, TestSshServer.ed25519(), ecdsa)) {
      both.authorized.addAll(server.authorized);
      // Only the ECDSA key is known; MINA would prefer ed25519 and find the host unknown.
      Files.writeString(
          knownHosts,
          "[127.0.0.1]:" + both.port() + " " + new HostKey(ecdsa.getPublic()).openSsh() + "\n");
      assertThat(
              ssh.node(both.target("web1", dir, key))
                  .exec(ExecRequest.of(List.of("x"), TIMEOUT))
                  .ok())
          .isTrue();
    }
  }

  @Test
  void verifiesTheJumpHostToo() throws Exception {
    try (TestSshServer jump = TestSshServer.start((c, in, out, err, ch) -> 0)) {
      jump.authorized.addAll(server.authorized);
      jump.server.setForwardingFilter(AcceptAllForwardingFilter.INSTANCE);
      server.trustIn(knownHosts);
      SshTarget viaJump = target().withJump(jump.target("bastion", dir, key));
      assertThatThrownBy(() -> ssh.node(viaJump).connect())
          .isInstanceOfSatisfying(
              SshException.class,
              e -> assertThat(e.kind()).isEqualTo(SshException.Kind.HOST_UNKNOWN))
          .hasMessageStartingWith(
              "web1: jump host bastion: the host key of 127.0.0.1:" + jump.port())
          .hasMessageEndingWith("hoist node trust bastion");

      Files.writeString(
          knownHosts,
          "[127.0.0.1]:"
              + jump.port()
              + " "
              + new HostKey(jump.hostKey.getPublic()).openSsh()
              + "\n",
          StandardOpenOption.APPEND);
      SshNode node = ssh.node(viaJump);
      assertThat(node.exec(ExecRequest.of(List.of("x"), TIMEOUT)).ok()).isTrue();
      assertThat(jump.server.getActiveSessions()).hasSize(1);
      node.close();
    }
  }
}
