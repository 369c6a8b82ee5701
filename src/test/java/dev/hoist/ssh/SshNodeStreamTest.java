package dev.hoist.ssh;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.node.StreamingCommand;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.server.channel.ChannelSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SshNode.stream over an in-process server: bytes both ways, stderr lines, exit, cancel. */
class SshNodeStreamTest {
  @TempDir Path dir;
  private TestSshServer server;
  private SshNodes ssh;
  private Path key;
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final List<String> seenBy = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = TestSshServer.start(this::script);
    KeyPair user = TestSshServer.ed25519();
    server.authorized.add(user.getPublic());
    key = TestSshServer.writeKey(user, dir.resolve("id_ed25519"), null);
    ssh = SshNodes.start(new SshSettings(Passphrases.NONE, null));
    server.trustIn(dir.resolve("known_hosts"));
  }

  @AfterEach
  void stop() throws Exception {
    ssh.close();
    server.close();
  }

  private int script(
      String command, InputStream in, OutputStream out, OutputStream err, ChannelSession channel)
      throws Exception {
    switch (command.split(" ")[0]) {
      case "cat" -> in.transferTo(out);
      case "backup" -> {
        // A runner that writes until its stdin ends (the caller's cancel), then reports.
        err.write("{\"event\": \"progress\"}\n".getBytes(UTF_8));
        err.flush();
        in.transferTo(OutputStream.nullOutputStream());
        seenBy.add("stdin ended");
        err.write("{\"event\": \"result\", \"ok\": false}\n".getBytes(UTF_8));
        return 1;
      }
      case "sudo" -> {
        err.write("sudo: a password is required\n".getBytes(UTF_8));
        return 1;
      }
      default -> {
        return 127;
      }
    }
    return 0;
  }

  @Test
  void streamsMegabytesThroughAndBack() throws Exception {
    byte[] data = new byte[10 * 1024 * 1024];
    new Random(3).nextBytes(data);
    try (SshNode node = ssh.node(server.target("db1", dir, key));
        StreamingCommand cat = node.stream(List.of("cat"), errors::add)) {
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (OutputStream in = cat.stdin()) {
                      in.write(data);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  });
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      cat.stdout().transferTo(out);
      writer.join();
      assertThat(cat.waitFor()).isZero();
      assertThat(out.toByteArray()).isEqualTo(data);
    }
  }

  @Test
  void cancelEndsTheInputAndTheLastLinesStillArrive() throws Exception {
    try (SshNode node = ssh.node(server.target("db1", dir, key));
        StreamingCommand c = node.stream(List.of("backup", "--app", "x"), errors::add)) {
      long until = System.nanoTime() + 5_000_000_000L;
      while (errors.isEmpty() && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      c.cancel();
      c.stdout().readAllBytes();
      assertThat(c.waitFor()).isEqualTo(1);
    }
    assertThat(seenBy).containsExactly("stdin ended");
    assertThat(errors)
        .containsExactly("{\"event\": \"progress\"}", "{\"event\": \"result\", \"ok\": false}");
  }

  @Test
  void sudoAskingForAPasswordIsReported() throws Exception {
    SshTarget target = server.target("db1", dir, key).withUser("deploy");
    try (SshNode node = ssh.node(target);
        StreamingCommand c = node.stream(List.of("backup"), errors::add)) {
      c.stdin().close();
      c.stdout().readAllBytes();
      assertThatThrownBy(c::waitFor)
          .isInstanceOf(SshException.class)
          .hasMessageContaining("sudo on db1 asks for a password");
    }
  }
}
