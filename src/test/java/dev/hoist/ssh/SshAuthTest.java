package dev.hoist.ssh;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.node.ExecRequest;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshAuthTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private TestSshServer server;
  private KeyPair user;
  private SshNodes ssh;

  @BeforeEach
  void start() throws Exception {
    server = TestSshServer.start((command, in, out, err, channel) -> 0);
    server.trustIn(dir.resolve("known_hosts"));
    user = TestSshServer.ed25519();
  }

  @AfterEach
  void stop() throws Exception {
    if (ssh != null) {
      ssh.close();
    }
    server.close();
  }

  private SshNode node(Passphrases passphrases, Path key) {
    ssh = ssh != null ? ssh : SshNodes.start(new SshSettings(passphrases, null));
    return ssh.node(server.target("web1", dir, key));
  }

  private static void assertRuns(SshNode node) throws Exception {
    assertThat(node.exec(ExecRequest.of(List.of("true"), TIMEOUT)).ok()).isTrue();
  }

  @Test
  void refusalListsTheKeysTriedAndTheUser() throws Exception {
    Path key = TestSshServer.writeKey(user, dir.resolve("id_ed25519"), null);
    assertThatThrownBy(() -> node(Passphrases.NONE, key).connect())
        .isInstanceOfSatisfying(
            SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.AUTH_REFUSED))
        .hasMessage(
            "web1: root@127.0.0.1:"
                + server.port()
                + " refused every key offered: "
                + key
                + " (ssh-ed25519 "
                + KeyUtils.getFingerPrint(user.getPublic())
                + ")");
  }

  @Test
  void encryptedKeyIsDecryptedOncePerProcess() throws Exception {
    server.authorized.add(user.getPublic());
    Path key = TestSshServer.writeKey(user, dir.resolve("id_ed25519"), "s3cret");
    AtomicInteger asked = new AtomicInteger();
    Passphrases console =
        (file, attempt) -> {
          asked.incrementAndGet();
          return "s3cret".toCharArray();
        };
    assertRuns(node(console, key));
    assertRuns(node(console, key));
    assertThat(asked.get()).isEqualTo(1);
  }

  @Test
  void encryptedKeyWithoutAConsoleSaysWhatToDo() throws Exception {
    server.authorized.add(user.getPublic());
    Path key = TestSshServer.writeKey(user, dir.resolve("id_ed25519"), "s3cret");
    assertThatThrownBy(() -> node(Passphrases.NONE, key).connect())
        .isInstanceOfSatisfying(
            SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.AUTH_REFUSED))
        .hasMessageEndingWith(
            "; not offered: " + key + " is encrypted; run from a terminal or add it to ssh-agent");
  }

  @Test
  void wrongPassphraseIsAskedAgainThenGivenUp() throws Exception {
    server.authorized.add(user.getPublic());
    Path key = TestSshServer.writeKey(user, dir.resolve("id_ed25519"), "s3cret");
    AtomicInteger asked = new AtomicInteger();
    Passphrases wrong =
        (file, attempt) -> {
          assertThat(attempt).isEqualTo(asked.incrementAndGet());
          return "guess".toCharArray();
        };
    assertThatThrownBy(() -> node(wrong, key).connect())
        .hasMessageContaining("not offered: wrong passphrase for " + key + " (3 tries)");
    assertThat(asked.get()).isEqualTo(3);
  }

  @Test
  void readsPemKeys() throws Exception {
    KeyPair rsa = KeyUtils.generateKeyPair("ssh-rsa", 2048);
    server.authorized.add(rsa.getPublic());
    Path key = dir.resolve("id_rsa");
    Files.writeString(
        key,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8))
                .encodeToString(rsa.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    assertRuns(node(Passphrases.NONE, key));
  }

  @Test
  void aMissingKeyFileIsNamed() {
    Path key = dir.resolve("nope");
    assertThatThrownBy(() -> node(Passphrases.NONE, key).connect())
        .isInstanceOfSatisfying(
            SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.AUTH_REFUSED))
        .hasMessageContaining("no key to offer to root@127.0.0.1:" + server.port())
        .hasMessageEndingWith("not offered: " + key + " does not exist");
  }

  @Test
  void aClosedPortIsUnreachable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ssh = SshNodes.start(new SshSettings(Passphrases.NONE, null));
    SshNodes nodes = ssh;
    assertThatThrownBy(() -> nodes.node(SshTarget.of("web1", "127.0.0.1").withPort(port)).connect())
        .isInstanceOfSatisfying(
            SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.UNREACHABLE))
        .hasMessage(
            "web1: cannot reach 127.0.0.1:"
                + port
                + ": connection refused (is sshd running and listening on port "
                + port
                + "?)");
  }

  @Test
  void aServerThatNeverSpeaksTimesOut() throws Exception {
    // The kernel accepts the TCP connection into the backlog; nobody ever answers.
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      ssh = SshNodes.start(new SshSettings(Passphrases.NONE, null));
      SshNodes nodes = ssh;
      SshTarget target =
          SshTarget.of("web1", "127.0.0.1")
              .withPort(silent.getLocalPort())
              .withConnectTimeout(Duration.ofMillis(500));
      long start = System.nanoTime();
      assertThatThrownBy(() -> nodes.node(target).connect())
          .isInstanceOfSatisfying(
              SshException.class,
              e -> assertThat(e.kind()).isEqualTo(SshException.Kind.UNREACHABLE))
          .hasMessage(
              "web1: 127.0.0.1:"
                  + silent.getLocalPort()
                  + " did not finish the SSH key exchange within 500ms");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
  }
}
