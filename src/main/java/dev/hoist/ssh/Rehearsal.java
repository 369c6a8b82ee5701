package dev.hoist.ssh;

import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * One real SSH conversation with an in-process server on a loopback port: key exchange, host key
 * check, public key auth, a command with stdin and stdout. It runs only while the launcher trains
 * the JVM's class-data cache, so the classes a first connection to a node loads are in it.
 */
public final class Rehearsal {
  private Rehearsal() {}

  /**
   * Connects, runs a command that echoes its input, and checks the echo; everything in {@code dir}.
   */
  public static void run(SshNodes client, Path dir)
      throws IOException, GeneralSecurityException, InterruptedException {
    KeyPair hostKey = KeyUtils.generateKeyPair("ssh-ed25519", 256);
    KeyPair userKey = KeyUtils.generateKeyPair("ssh-ed25519", 256);
    SshServer server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    CoreModuleProperties.TCP_NODELAY.set(server, true);
    server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    server.setPublickeyAuthenticator(
        (user, key, session) -> KeyUtils.compareKeys(userKey.getPublic(), key));
    server.setCommandFactory((channel, command) -> new Echo());
    server.start();
    try {
      Path key = dir.resolve("id_ed25519");
      try (OutputStream out = Files.newOutputStream(key)) {
        new OpenSSHKeyPairResourceWriter().writePrivateKey(userKey, "rehearsal", null, out);
      }
      Path knownHosts = dir.resolve("known_hosts");
      Files.writeString(
          knownHosts,
          "[127.0.0.1]:"
              + server.getPort()
              + " "
              + new HostKey(hostKey.getPublic()).openSsh()
              + "\n");
      SshTarget target =
          SshTarget.of("rehearsal", "127.0.0.1")
              .withPort(server.getPort())
              .withIdentityFiles(List.of(key))
              .withKnownHosts(knownHosts);
      try (SshNode node = client.node(target)) {
        node.connect();
        byte[] input = "{\"op\":\"probe\"}\n".getBytes(StandardCharsets.UTF_8);
        ExecResult echo =
            node.exec(new ExecRequest(List.of("cat"), input, Duration.ofSeconds(10), line -> {}));
        if (!echo.stdout().equals(new String(input, StandardCharsets.UTF_8))) {
          throw new IOException("the rehearsal's echo came back as " + echo.stdout());
        }
      }
    } finally {
      server.stop(true);
    }
  }

  /** Copies stdin to stdout, then exits 0: a stand-in for the node agent. */
  private static final class Echo implements Command {
    private InputStream in;
    private OutputStream out;
    private ExitCallback exit;

    @Override
    public void setInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {}

    @Override
    public void setExitCallback(ExitCallback exit) {
      this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
      Thread.ofVirtual()
          .start(
              () -> {
                int code = 0;
                try {
                  in.transferTo(out);
                  out.flush();
                } catch (IOException e) {
                  code = 1;
                }
                exit.onExit(code);
              });
    }

    @Override
    public void destroy(ChannelSession channel) {}
  }
}
